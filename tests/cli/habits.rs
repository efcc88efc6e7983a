//! Command-line habits: several input files, the version line, completions and the manual.

use crate::{linkscreen, path_str, temp_file};

const A: &str = "{\"id\":\"a1\",\"headline\":\"Engineer\"}\n{\"id\":\"a2\",\"connections\":-1}\n";
const B: &str =
    "{\"id\":\"b1\",\"headline\":\"Recruiter\"}\n\n{\"id\":\"b2\",\"posts\":\"many\"}\n";

#[test]
fn several_files_are_one_run_and_errors_name_the_file() {
    let (_da, a) = temp_file("a.jsonl", A.as_bytes());
    let (_db, b) = temp_file("b.jsonl", B.as_bytes());
    let both = linkscreen(&["score", path_str(&a), path_str(&b), "--engine", "rules"]);
    assert_eq!(both.code, 1, "{}", both.stderr);
    let ids: Vec<&str> = both
        .stdout
        .lines()
        .map(|l| l.split('"').nth(3).unwrap())
        .collect();
    assert_eq!(ids, ["a1", "b1"]);
    assert!(
        both.stderr
            .contains(&format!("{}: line 2: connections", a.display())),
        "{}",
        both.stderr
    );
    assert!(both
        .stderr
        .contains(&format!("{}: line 3: posts", b.display())));
    assert!(both.stderr.contains("processed 2, rejected 2, written 2"));
    // The same records as the files one at a time.
    let one = linkscreen(&["score", path_str(&a), "--engine", "rules"]);
    assert!(
        one.stderr.starts_with("line 2: connections"),
        "{}",
        one.stderr
    );
    let check = linkscreen(&["check", path_str(&a), path_str(&b)]);
    assert_eq!(check.code, 1);
    assert!(check.stderr.contains("valid 2, rejected 2"));
}

#[test]
fn version_names_the_embedded_model() {
    let run = linkscreen(&["--version"]);
    assert_eq!(run.code, 0);
    assert!(run
        .stdout
        .starts_with(&format!("linkscreen {}", env!("CARGO_PKG_VERSION"))));
    assert!(
        run.stdout
            .contains("embedded model: default, manifest sha256 "),
        "{}",
        run.stdout
    );
}

#[test]
fn completions_and_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish"] {
        let run = linkscreen(&["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(
            run.stdout.contains("linkscreen") && run.stdout.contains("score"),
            "{shell}"
        );
    }
    assert_eq!(linkscreen(&["completions", "tcsh"]).code, 2);
    let man = linkscreen(&["man"]);
    assert_eq!(man.code, 0);
    assert!(man.stdout.contains(".TH linkscreen 1"));
    assert!(man.stdout.contains("completions"));
}
