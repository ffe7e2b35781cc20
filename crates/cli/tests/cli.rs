//! Runs the `wengert` binary: the output of each command, and each error case (a clear
//! message, a non-zero exit, never a panic).

use std::path::PathBuf;
use std::process::{Command, Output};

fn wengert(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wengert")).args(args).output().expect("run wengert")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Runs a command that must fail; returns its stderr after checking it did not panic.
fn fails(args: &[&str]) -> String {
    let o = wengert(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{args:?} should exit 1; stderr:\n{err}");
    assert!(!err.contains("panicked"), "{args:?} panicked:\n{err}");
    assert!(stdout(&o).is_empty(), "{args:?} printed to stdout on error");
    err
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wengert-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

const GRAD_F: &str = "\
f(x, y) = x*y + sin(x)
at x = 2, y = 3

f = 6.909297426825682
∂f/∂x = 2.5838531634528574
∂f/∂y = 2

Wengert list (the forward sweep records one node per operation):
v0 = x (input)  = 2
v1 = y (input)  = 3
v2 = v0 · v1    = 6
v3 = sin(v0)    = 0.9092974268256817
v4 = v2 + v3    = 6.909297426825682  (f)

Reverse sweep (v̄ = ∂f/∂v, pushed from the output back to the inputs):
v̄4 = 1              (seed)
v̄2 += v̄4            = 1
v̄3 += v̄4            = 1
v̄0 += v̄3 · cos(v0)  = -0.4161468365471424
v̄0 += v̄2 · v1       = 2.5838531634528574
v̄1 += v̄2 · v0       = 2
gradients:
  ∂f/∂x = v̄0  = 2.5838531634528574
  ∂f/∂y = v̄1  = 2
";

#[test]
fn grad_prints_value_gradient_list_and_sweep() {
    let o = wengert(&["grad", "x*y + sin(x)", "x=2", "y=3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), GRAD_F);
    // The printed numbers are the closed form's: ∂f/∂x = y + cos x.
    assert!(GRAD_F.contains(&format!("∂f/∂x = {}\n", 3.0 + 2f64.cos())));
}

#[test]
fn grad_handles_the_whole_language() {
    let o = wengert(&["grad", "-x^2 + 2^x - 1e-3/y + exp(ln(log1p(sqrt(square(y)))))", "x=3", "y=0.5"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    // d/dx (−x² + 2ˣ) = −2x + 2ˣ ln 2
    let dx = -6.0 + 8.0 * 2f64.ln();
    let line = out.lines().find(|l| l.starts_with("∂f/∂x = ")).unwrap();
    let got: f64 = line["∂f/∂x = ".len()..].parse().unwrap();
    assert!((got - dx).abs() < 1e-12, "{got} vs {dx}");
    for piece in ["v2 = v0^2", "v3 = −v2", "v5 = v4^v0", "sqrt(", "log1p(", "square(", "0.001 / v1"] {
        assert!(out.contains(piece), "missing {piece}:\n{out}");
    }
    for f in [
        "sin", "cos", "tanh", "sigmoid", "softplus", "erf", "erfc", "expm1", "sinh", "cosh", "atan", "asin",
        "acos", "lgamma", "digamma", "relu", "abs", "exp", "ln", "log",
    ] {
        let o = wengert(&["grad", &format!("{f}(x) * 2"), "x=0.5"]);
        assert!(o.status.success(), "{f}: {}", stderr(&o));
    }
    // d/dx erf(x) = (2/√π)·e^(−x²), printed with its rule.
    let out = stdout(&wengert(&["grad", "erf(x)", "x=0.5"]));
    let line = out.lines().find(|l| l.starts_with("∂f/∂x = ")).unwrap();
    let got: f64 = line["∂f/∂x = ".len()..].parse().unwrap();
    let want = std::f64::consts::FRAC_2_SQRT_PI * (-0.25f64).exp();
    assert!((got - want).abs() < 1e-15, "{got} vs {want}");
    assert!(out.contains("2/√π · exp(−v0²)"), "missing the rule of erf:\n{out}");
    // d/dx lgamma(x) = ψ(x), ψ(1) = −γ; digamma's rule names polygamma of order 1.
    let out = stdout(&wengert(&["grad", "lgamma(x) + digamma(x)", "x=1"]));
    let line = out.lines().find(|l| l.starts_with("∂f/∂x = ")).unwrap();
    let got: f64 = line["∂f/∂x = ".len()..].parse().unwrap();
    let want = -0.5772156649015329 + std::f64::consts::PI.powi(2) / 6.0;
    assert!((got - want).abs() < 1e-15, "{got} vs {want}");
    assert!(out.contains("· digamma(v0)") && out.contains("· polygamma(1, v0)"), "missing the rules:\n{out}");
    // A value may be negative; an expression may start with a minus.
    let o = wengert(&["grad", "-x", "x=-1.5"]);
    assert!(stdout(&o).contains("f = 1.5\n∂f/∂x = -1\n"), "{}", stdout(&o));
}

#[test]
fn dot_and_html_files_are_written() {
    let (dot, html) = (tmp("f.dot"), tmp("f.html"));
    let o = wengert(&[
        "grad",
        "x*y + sin(x)",
        "x=2",
        "y=3",
        "--dot",
        dot.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), GRAD_F);
    let d = std::fs::read_to_string(&dot).unwrap();
    assert!(d.starts_with("digraph wengert {"));
    assert!(d.contains("v0 [label=\"v0 (x) | input | data 2 | grad 2.5838531634528574\""), "{d}");
    let h = std::fs::read_to_string(&html).unwrap();
    assert!(h.starts_with("<!DOCTYPE html>"));
    for needle in ["<svg", "id=\"node-v4\"", "stepFromHash", "v̄0 += v̄3 · cos(v0)", "\"phase\":\"seed\""]
    {
        assert!(h.contains(needle), "missing {needle}");
    }
    // Self-contained: nothing loaded from elsewhere (the one URL is the SVG namespace).
    assert_eq!(h.matches("http").count(), 1, "only the SVG namespace");
    assert!(h.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(!h.contains("<link") && !h.contains(" src="), "the page loads a file");
    let bad = fails(&["grad", "x", "x=1", "--html", "/nonexistent-dir/x.html"]);
    assert!(bad.contains("cannot write /nonexistent-dir/x.html"), "{bad}");
}

#[test]
fn check_prints_the_report() {
    let o = wengert(&["check", "x*y + sin(x)", "x=2", "y=3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("f(x, y) = x*y + sin(x)\nat x = 2, y = 3\n\n"), "{out}");
    assert!(out.contains("PASS") || out.contains("pass"), "{out}");
    // The report names the inputs by their variable names.
    assert!(out.contains("x") && out.contains("y"));
    let err = fails(&["check", "2 + 3"]);
    assert!(err.contains("no variables"), "{err}");
}

#[test]
fn hessian_differentiates_the_recorded_sweep() {
    let o = wengert(&["hessian", "x^3 + x*y^2", "x=2", "y=3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    // H = [[6x, 2y], [2y, 2x]] = [[12, 6], [6, 4]].
    assert!(out.contains("gradient = [21, 12]\n"), "{out}");
    assert!(out.contains("      x  y\n  x  12  6\n  y   6  4\n"), "{out}");
    let o = wengert(&["hessian", "x*y + sin(x)", "x=2", "y=3"]);
    let out = stdout(&o);
    assert!(out.contains(&format!("  x  {}  1\n", -(2f64.sin()))), "{out}");
    // A linear function has a zero Hessian (the gradient is a constant).
    let out = stdout(&wengert(&["hessian", "2*x + y", "x=1", "y=1"]));
    assert!(out.contains("  x  0  0\n  y  0  0\n"), "{out}");
    let err = fails(&["hessian", "sqrt(x)", "x=0"]);
    assert!(err.contains("∂f/∂x = inf is not finite"), "{err}");
    let err = fails(&["hessian", "x^1.5", "x=0"]);
    assert!(err.contains("∂²f/∂x∂x = ") && err.contains("is not finite"), "{err}");
    let err = fails(&["hessian", "2 + 3"]);
    assert!(err.contains("no variables"), "{err}");
}

#[test]
fn syntax_errors_show_a_caret_under_the_column() {
    let err = fails(&["grad", "x*y + * sin(x)", "x=2", "y=3"]);
    assert_eq!(
        err,
        "error: expected a number, a variable or `(`, found `*` (column 7)\n  x*y + * sin(x)\n        ^\n"
    );
    for (expr, col, msg) in [
        ("(x + 1", "column 7", "expected `)`"),
        ("x + 1)", "column 6", "without a matching `(`"),
        ("2x", "column 2", "missing operator"),
        ("foo(x)", "column 1", "unknown function `foo`"),
        ("x $ 1", "column 3", "unexpected character `$`"),
        ("1e+ x", "column 1", "malformed number"),
        ("", "column 1", "empty"),
    ] {
        let err = fails(&["grad", expr, "x=1"]);
        assert!(err.contains(msg) && err.contains(col), "{expr}: {err}");
        assert!(err.lines().any(|l| l.trim_start().starts_with('^')), "{expr}: no caret in {err}");
    }
}

#[test]
fn unknown_variables_and_missing_values_are_named() {
    let err = fails(&["grad", "x*z", "x=2"]);
    assert_eq!(err, "error: no value for the variable `z` (column 3): add z=<number>\n  x*z\n    ^\n");
    let err = fails(&["grad", "x*y", "x=2", "y="]);
    assert!(err.contains("missing value for y"), "{err}");
    let err = fails(&["grad", "x*y", "x=2", "y"]);
    assert!(err.contains("expected NAME=VALUE, got `y`"), "{err}");
    let err = fails(&["grad", "x", "x=two"]);
    assert!(err.contains("`two`, is not a number"), "{err}");
    let err = fails(&["grad", "x", "x=1", "x=2"]);
    assert!(err.contains("x is given twice"), "{err}");
    let err = fails(&["grad", "x", "x=inf"]);
    assert!(err.contains("must be finite"), "{err}");
    let err = fails(&["grad", "x", "sin=1", "x=1"]);
    assert!(err.contains("`sin` is a function"), "{err}");
    // An unused value is a note, not an error.
    let o = wengert(&["grad", "x + 1", "x=1", "y=2"]);
    assert!(o.status.success());
    assert!(stderr(&o).contains("y does not appear"), "{}", stderr(&o));
}

#[test]
fn long_and_deep_expressions_are_handled() {
    // 9 999 additions: a deep left-leaning tree, recorded and swept without trouble.
    let long = vec!["x"; 10_000].join("+");
    let o = wengert(&["grad", &long, "x=1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("∂f/∂x = 10000\n"));
    let err = fails(&["grad", &vec!["x"; 10_001].join("+"), "x=1"]);
    assert!(err.contains("at most 20000"), "{err}");
    let deep = format!("{}x{}", "(".repeat(1000), ")".repeat(1000));
    let err = fails(&["grad", &deep, "x=1"]);
    assert!(err.contains("nested more than 256 levels"), "{err}");
}

#[test]
fn division_by_zero_reports_the_node() {
    let err = fails(&["grad", "1/(x-x)", "x=1"]);
    assert!(
        err.starts_with(
            "error: the value of v2 = 1 / v1 is inf, not finite (a division by zero)\n  1/(x-x)\n  ^^^^^^^\n"
        ),
        "{err}"
    );
    assert!(err.contains("v1 = v0 − v0    = 0"), "{err}");
    let err = fails(&["grad", "x/0", "x=1"]);
    assert!(err.contains("v1 = v0 / 0 is inf"), "{err}");
    let err = fails(&["grad", "x + 1/0", "x=1"]);
    assert!(err.contains("not finite (inf)") && err.contains("      ^^^"), "{err}");
    let err = fails(&["grad", "ln(x)", "x=-1"]);
    assert!(err.contains("v1 = ln(v0) is NaN"), "{err}");
    let err = fails(&["hessian", "x/(y-y)", "x=1", "y=2"]);
    assert!(err.contains("is inf"), "{err}");
    let err = fails(&["check", "x/(y-y)", "x=1", "y=2"]);
    assert!(err.contains("is inf"), "{err}");
    // A finite value whose derivative is not: the reverse sweep names the node.
    let err = fails(&["grad", "sqrt(x)", "x=0"]);
    assert!(err.contains("v̄0 += v̄1 / (2 · v1) = inf, pushed back from v1 = sqrt(v0)"), "{err}");
}

#[test]
fn usage_errors_come_from_the_argument_parser() {
    let o = wengert(&["grad"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("EXPR"), "{}", stderr(&o));
    let o = wengert(&["--help"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("hessian"));
}

// ---------------------------------------------------------------------------------------
// The tutorial's command-line printouts: each ```text id=cli-NAME block of docs/tutorial.md
// is the output of the command on its first line (`$ wengert …`).

fn split_args(cmd: &str) -> Vec<String> {
    // Arguments separated by spaces; double quotes group.
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in cmd.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

#[test]
fn tutorial_command_printouts_match_the_binary() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/tutorial.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let bless = std::env::var_os("WENGERT_BLESS").is_some();
    let mut new_doc = String::new();
    let mut problems = Vec::new();
    let mut checked = 0;
    let mut rest = doc.as_str();
    while let Some(i) = rest.find("```text id=cli-") {
        let block = &rest[i..];
        let body_start = block.find('\n').unwrap() + 1;
        let close = block[body_start..].find("```").unwrap();
        let body = &block[body_start..body_start + close];
        let (cmd, expected) = body.split_once('\n').unwrap();
        let cmd = cmd.strip_prefix("$ wengert ").expect("a cli block starts with `$ wengert …`");
        let args = split_args(cmd);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = wengert(&args);
        let got = format!("{}{}", stdout(&o), stderr(&o));
        if got != expected {
            problems.push(format!("`wengert {cmd}`:\n--- tutorial\n{expected}--- binary\n{got}"));
        }
        new_doc.push_str(&rest[..i + body_start]);
        new_doc.push_str(&format!("$ wengert {cmd}\n{got}"));
        checked += 1;
        rest = &block[body_start + close..];
    }
    new_doc.push_str(rest);
    assert!(checked >= 2, "expected the tutorial to show at least two commands, found {checked}");
    if bless {
        std::fs::write(&path, new_doc).unwrap();
        return;
    }
    assert!(
        problems.is_empty(),
        "the tutorial's command printouts no longer match the binary \
         (regenerate with WENGERT_BLESS=1 cargo test -p wengert-cli):\n{}",
        problems.join("\n")
    );
}

/// The functions in `--help` are the ones the parser accepts: the error for an unknown
/// function lists the parser's, and each of them must be in the help too.
#[test]
fn help_lists_every_function_the_parser_accepts() {
    let err = fails(&["grad", "foo(x)", "x=1"]);
    let list = err.split("the functions are ").nth(1).expect("the error lists the functions");
    let list = list.split(" (column").next().unwrap();
    let o = wengert(&["--help"]);
    let help = stdout(&o);
    let words: Vec<&str> = help.split(|c: char| !c.is_alphanumeric()).collect();
    for f in list.split_whitespace() {
        assert!(words.contains(&f), "`{f}` is accepted but not in --help:\n{help}");
    }
}

/// A number literal too large for f64 is a malformed number at its column, not "a division
/// by zero, or a function outside its domain".
#[test]
fn a_number_too_large_for_f64_is_named_as_such() {
    let err = fails(&["grad", "1e400*x", "x=1"]);
    assert!(err.starts_with("error: the number `1e400` is too large"), "{err}");
    assert!(err.contains("(column 1)\n  1e400*x\n  ^^^^^\n"), "{err}");
    assert!(!err.contains("division by zero"), "{err}");
    // Arithmetic on numbers that overflows says so too.
    let err = fails(&["grad", "x + 10^400", "x=1"]);
    assert!(err.contains("overflow"), "{err}");
}

/// A variable name is a letter or `_`, then letters, ASCII digits or `_`: `x²` is not the
/// variable `x²` (whose value the user would be asked for) but `x` and a character to
/// write as a power; a binding's name follows the same rule.
#[test]
fn superscripts_are_not_part_of_a_name() {
    let err = fails(&["grad", "x² + 1", "x=2"]);
    assert!(err.starts_with("error: unexpected character `²`"), "{err}");
    assert!(err.contains("x^2") && err.contains("(column 2)"), "{err}");
    assert!(!err.contains("no value for the variable"), "{err}");
    let err = fails(&["grad", "x", "x=1", "1x=2"]);
    assert!(err.contains("`1x` in `1x=2` is not a variable name"), "{err}");
    let err = fails(&["grad", "x", "x=1", "x²=2"]);
    assert!(err.contains("`x²` in `x²=2` is not a variable name"), "{err}");
    // Letters of any script still make names.
    let o = wengert(&["grad", "é*x1 + _b", "é=2", "x1=3", "_b=1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("∂f/∂é = 3\n"), "{}", stdout(&o));
}

/// The caret stays under the column when the expression holds tabs or line breaks (each
/// shown as one space, as the caret line counts them) or double-width characters, and a
/// control character is named escaped rather than written raw to the terminal.
#[test]
fn carets_line_up_with_tabs_newlines_and_control_characters() {
    let err = fails(&["grad", "x\t+\t* y", "x=1", "y=2"]);
    assert_eq!(
        err,
        "error: expected a number, a variable or `(`, found `*` (column 5)\n  x + * y\n      ^\n"
    );
    let err = fails(&["grad", "x +\nz", "x=1"]);
    assert!(err.ends_with("\n  x + z\n      ^\n"), "{err:?}");
    let err = fails(&["grad", "x + \u{1b}[2J", "x=1"]);
    assert!(err.starts_with("error: unexpected character `\\u{1b}` (column 5)"), "{err:?}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
    // An invisible character (a zero-width space) is shown, so the caret is under it.
    let err = fails(&["grad", "\u{200b}x", "x=1"]);
    assert!(err.ends_with("(column 1)\n  \u{fffd}x\n  ^\n"), "{err:?}");
    // A double-width character takes two columns of the caret line, before the span and in it.
    let err = fails(&["grad", "日 + * y", "日=1", "y=2"]);
    assert!(err.ends_with("(column 5)\n  日 + * y\n       ^\n"), "{err:?}");
    let err = fails(&["grad", "x + 😀", "x=1"]);
    assert!(err.ends_with("(column 5)\n  x + 😀\n      ^^\n"), "{err:?}");
    // Printable characters are named as they are, quotes and backslashes included.
    for c in ['\'', '"', '\\', '$'] {
        let err = fails(&["grad", &format!("x{c}"), "x=1"]);
        assert!(err.starts_with(&format!("error: unexpected character `{c}` (column 2)")), "{err:?}");
    }
}

/// An expression written over several lines (or with tabs) is shown on one line in the
/// header, each run of whitespace as one space.
#[test]
fn the_header_shows_the_expression_on_one_line() {
    let o = wengert(&["grad", "x *\n\t y +\n1", "x=2", "y=3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("f(x, y) = x * y + 1\nat x = 2, y = 3\n"), "{}", stdout(&o));
}

/// Each missing variable is asked for once, in order of first use, however often and in
/// whatever order the expression uses it.
#[test]
fn missing_variables_are_each_named_once() {
    let err = fails(&["grad", "z*w*z + w", "x=1"]);
    assert!(
        err.starts_with("error: no value for the variable `z` (column 1): add z=<number> w=<number>\n"),
        "{err}"
    );
}

/// The precedence and associativity `--help` states, through the binary: `^` binds
/// tightest and groups to the right, `-` and `/` group to the left, unary `+` is accepted.
#[test]
fn precedence_is_as_the_help_says() {
    let help = stdout(&wengert(&["--help"]));
    assert!(help.contains("-x^2 is -(x^2), 2^3^2 is 2^9"), "{help}");
    for (expr, value) in [
        ("-x^2", "-9"),
        ("2^3^2 + 0*x", "512"),
        ("x-2-1", "0"),
        ("x/3/2", "0.5"),
        ("+x*-x", "-9"),
        ("2^-x^2", "0.001953125"),
        (".5*x + 5.*x + 1e-3*x", "16.503"),
    ] {
        let o = wengert(&["grad", expr, "x=3"]);
        assert!(o.status.success(), "{expr}: {}", stderr(&o));
        assert!(stdout(&o).contains(&format!("\nf = {value}\n")), "{expr}: {}", stdout(&o));
    }
}

#[test]
fn check_with_taylor_adds_the_remainder_test() {
    let o = wengert(&["check", "--taylor", "x*y + sin(x)", "x=2", "y=3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("gradcheck PASSED"), "{out}");
    assert!(out.contains("\ntaylor test PASSED\n"), "{out}");
    assert!(out.contains("the gradient is right along v (r1 ∝ h^2.00, expected 2)"), "{out}");
    // Without the flag, no Taylor test.
    assert!(!stdout(&wengert(&["check", "x*y + sin(x)", "x=2", "y=3"])).contains("taylor"));
    // On abs's breakpoint every step crosses it: inconclusive, and the command fails
    // (exit 1, the report on stdout).
    let o = wengert(&["check", "--taylor", "abs(x) + y", "x=0", "y=1"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("taylor test FAILED"), "{}", stdout(&o));
    assert!(stdout(&o).contains("every step crosses a non-smooth point"), "{}", stdout(&o));
}
