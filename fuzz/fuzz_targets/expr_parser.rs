//! Bytes → a UTF-8 string → the `wengert` CLI's expression parser.
//!
//! Checked: `parse` never panics (deep nesting included); error spans lie inside the
//! source (one past the end at most) and `render` works; a parsed expression's spans lie
//! inside the source, and its fully parenthesised printout parses back to the same printout.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../crates/cli/src/expr.rs"]
mod expr;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let columns = src.chars().count();
    match expr::parse(src) {
        Ok(e) => {
            let s = e.span();
            assert!(s.start <= s.end && s.end <= columns, "span {s:?} outside {columns} columns");
            for (name, span) in e.variables() {
                assert!(!name.is_empty() && span.end <= columns);
            }
            let printed = e.to_string();
            match expr::parse(&printed) {
                Ok(again) => {
                    assert_eq!(again.to_string(), printed, "printout of {src:?} does not parse back")
                }
                // Parentheses count towards the parser's nesting limit of 256, and the
                // printout adds them: deep inputs may print deeper than the limit.
                Err(err) if err.message.contains("nested more than") => {}
                Err(err) => panic!("printout {printed:?} of {src:?} does not parse: {}", err.message),
            }
        }
        Err(err) => {
            assert!(err.span.start <= err.span.end && err.span.start <= columns + 1, "{err:?}");
            assert!(!err.message.is_empty());
            let _ = err.render(src);
        }
    }
});
