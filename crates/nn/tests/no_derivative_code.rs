//! The crate's guarantee: no derivative code. Every layer, activation, loss and optimizer
//! is composed from tape ops, so the sources must not implement a custom op or a backward
//! rule. (Gradients of nn code are checked by finite differences in the other tests.)

use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
        }
    }
}

#[test]
fn nn_sources_contain_no_backward_rules() {
    let mut files = Vec::new();
    sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    assert!(files.len() >= 5, "found only {} source files", files.len());
    let forbidden = [
        "CustomOp",
        "fn vjp",
        "vjp_graph",
        "fn backward",
        "backward rule",
        ".custom(",
        "fn derivative",
        "fn grad_fn",
        "unsafe {",
        "unsafe fn",
        "unsafe impl",
    ];
    for (path, text) in &files {
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in forbidden {
                assert!(!code.contains(word), "{path}:{}: `{word}` in nn code: {line}", i + 1);
            }
        }
    }
}
