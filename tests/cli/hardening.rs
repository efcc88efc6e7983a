//! Issue 13: the holes a red-team pass and a careless pipeline found, one test (or more) per
//! row of the issue's table, plus the input hints.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use crate::{linkscreen, linkscreen_with_stdin, path_str, root, temp_file};

const EXAMPLES: &str = "datasets/examples/profiles.jsonl";

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_linkscreen"));
    c.current_dir(root());
    c
}

// Row 5: a key given twice in one object.
#[test]
fn a_duplicate_key_rejects_its_line_naming_the_key() {
    let input = b"{\"id\":\"a\",\"messages\":[{\"text\":\"pay you\"}],\"messages\":[]}\n\
                  {\"id\":\"b\",\"experience\":[{\"title\":\"x\",\"title\":\"y\"}]}\n\
                  {\"id\":\"c\",\"w\\u001b[2Jx\":1,\"w\\u001b[2Jx\":2}\n\
                  {\"id\":\"ok\"}\n";
    let run = linkscreen_with_stdin(&["score", "-", "--engine", "rules"], Some(input));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("line 1: messages: given twice"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("line 2: title: given twice"),
        "{}",
        run.stderr
    );
    // The key is sanitised: no raw escape reaches the terminal.
    assert!(
        run.stderr
            .contains("line 3: w\\u{1b}\\u{5b}2Jx: given twice"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains('\u{1b}'), "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 1);
    assert!(
        run.stderr.contains("processed 1, rejected 3"),
        "{}",
        run.stderr
    );
}

// Row 6: the same id twice.
#[test]
fn duplicate_ids_are_reported_once_per_id_and_explain_shows_every_match() {
    let input = b"{\"id\":\"dup\",\"headline\":\"one\"}\n{\"id\":\"x\"}\n\
                  {\"id\":\"dup\",\"headline\":\"two\"}\n{\"id\":\"dup\",\"headline\":\"three\"}\n";
    let (_d, path) = temp_file("dups.jsonl", input);
    for cmd in ["check", "score"] {
        let run = linkscreen(&[cmd, path_str(&path)]);
        assert_eq!(run.code, 0, "{cmd}: {}", run.stderr);
        assert_eq!(
            run.stderr.matches("is given more than once").count(),
            1,
            "{cmd}: {}",
            run.stderr
        );
        assert!(
            run.stderr
                .contains("id \"dup\" is given more than once (lines 1, 3, 4)"),
            "{cmd}: {}",
            run.stderr
        );
    }
    let run = linkscreen(&["explain", path_str(&path), "--id", "dup"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("3 profiles have id dup (lines 1, 3, 4)"),
        "{}",
        run.stdout
    );
    for line in [1, 3, 4] {
        assert!(
            run.stdout.contains(&format!("profile dup (line {line})")),
            "{}",
            run.stdout
        );
    }
}

// Row 7: control characters in an id.
#[test]
fn control_characters_in_ids_are_escaped_in_table_and_explain() {
    let input = b"{\"id\":\"evil\\u001b[2J\\r\\nOK\\u202e\",\"headline\":\"x\"}\n";
    let (_d, path) = temp_file("evil.jsonl", input);
    let run = linkscreen(&["score", path_str(&path), "--format", "table"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("evil\\u{1b}[2J\\r\\nOK"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.lines().count(), 2, "{}", run.stdout);
    let run = linkscreen(&[
        "explain",
        path_str(&path),
        "--id",
        "evil\u{1b}[2J\r\nOK\u{202e}",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("profile evil\\u{1b}[2J\\r\\nOK\\u{202e} (line 1)"),
        "{}",
        run.stdout
    );
    for out in [&run.stdout, &run.stderr] {
        assert!(!out.contains('\u{1b}') && !out.contains('\r') && !out.contains('\u{202e}'));
    }
}

// Row 8: a formula in a CSV cell.
#[test]
fn csv_cells_that_a_spreadsheet_would_run_are_neutralised() {
    let input = "{\"id\":\"=HYPERLINK(\\\"http://x\\\",\\\"y\\\")\"}\n{\"id\":\"+1\"}\n\
                 {\"id\":\"-2\"}\n{\"id\":\"@SUM(A1)\"}\n{\"id\":\"\\tx\"}\n{\"id\":\"plain\"}\n";
    let (_d, path) = temp_file("formula.jsonl", input.as_bytes());
    let run = linkscreen(&[
        "score",
        path_str(&path),
        "--engine",
        "rules",
        "--format",
        "csv",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut rows = csv::Reader::from_reader(run.stdout.as_bytes());
    let ids: Vec<String> = rows.records().map(|r| r.unwrap()[0].to_owned()).collect();
    assert_eq!(
        ids,
        [
            "'=HYPERLINK(\"http://x\",\"y\")",
            "'+1",
            "'-2",
            "'@SUM(A1)",
            "'\tx",
            "plain"
        ]
    );
}

// Row 9: unknown field names, hostile and numerous.
#[test]
fn unknown_field_names_are_sanitised_bounded_and_hidden_with_no_evidence() {
    let mut input = String::from("{\"id\":\"a\",\"secret\\u001b[31m\":1}\n");
    for i in 0..200 {
        input.push_str(&format!(
            "{{\"id\":\"p{i}\",\"field_{i}_{}\":1}}\n",
            "x".repeat(60)
        ));
    }
    let (_d, path) = temp_file("unknown.jsonl", input.as_bytes());
    let run = linkscreen(&["score", path_str(&path), "--engine", "rules"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let note = run
        .stderr
        .lines()
        .find(|l| l.contains("unknown fields"))
        .unwrap();
    assert!(note.contains("secret\\u{1b}\\u{5b}31m"), "{note}");
    assert!(note.contains("and more"), "{note}");
    assert!(note.len() < 1000, "{} bytes: {note}", note.len());
    assert!(!run.stderr.contains('\u{1b}'));
    let run = linkscreen(&[
        "score",
        path_str(&path),
        "--engine",
        "rules",
        "--no-evidence",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        !run.stderr.contains("secret") && !run.stderr.contains("field_"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("16+ unknown field names"),
        "{}",
        run.stderr
    );
    // One object with a million keys is rejected, not held.
    let mut big = String::from("{\"id\":\"big\"");
    for i in 0..100_000 {
        big.push_str(&format!(",\"k{i}\":0"));
    }
    big.push_str("}\n");
    let run = linkscreen_with_stdin(&["check", "-"], Some(big.as_bytes()));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("more than 256 fields"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.len() < 1000);
}

// Row 10: standard output closed.
#[test]
fn a_closed_standard_output_is_a_failure_with_nothing_written() {
    let script = format!(
        "exec \"{}\" score {EXAMPLES} --engine rules >&-",
        env!("CARGO_BIN_EXE_linkscreen")
    );
    let Ok(out) = Command::new("sh")
        .args(["-c", &script])
        .current_dir(root())
        .output()
    else {
        eprintln!("skipped: no sh");
        return;
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("INCOMPLETE") && stderr.contains("written 0"),
        "{stderr}"
    );
}

// Row 11: the disk fills up part-way; the count is exact (see also output.rs unit tests).
#[test]
fn a_full_disk_reports_the_exact_number_of_complete_records() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipped: /dev/full is not available on this system");
        return;
    };
    for format in ["jsonl", "csv", "table"] {
        let out = bin()
            .args(["score", EXAMPLES, "--engine", "rules", "--format", format])
            .stdout(full.try_clone().unwrap())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("written 0"), "{format}: {stderr}");
        assert!(!stderr.contains("written 20"), "{stderr}");
    }
}

/// Reads one line from the child's `pipe`, closes it, and returns the exit status.
fn read_one_line_then_close(mut child: std::process::Child, stderr: bool) -> (i32, String) {
    let mut first = String::new();
    if stderr {
        let mut r = BufReader::new(child.stderr.take().unwrap());
        r.read_line(&mut first).unwrap();
    } else {
        let mut r = BufReader::new(child.stdout.take().unwrap());
        r.read_line(&mut first).unwrap();
    }
    let mut rest = String::new();
    if !stderr {
        if let Some(mut e) = child.stderr.take() {
            e.read_to_string(&mut rest).unwrap();
        }
    }
    let status = child.wait().unwrap();
    (status.code().unwrap_or(-1), rest)
}

// Row 12: a reader that closes the pipe early, on standard output and on standard error.
#[test]
fn a_reader_closing_the_pipe_early_is_a_quiet_success_on_stdout_and_stderr() {
    let child = bin()
        .args(["synth", "--n", "20000", "--out", "-"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (code, stderr) = read_one_line_then_close(child, false);
    assert_eq!(code, 0, "synth: {stderr}");
    assert!(
        !stderr.contains("Broken pipe") && !stderr.contains("panicked"),
        "{stderr}"
    );

    let bad: String = (0..20_000).map(|i| format!("not json {i}\n")).collect();
    let (_d, path) = temp_file("bad.txt", bad.as_bytes());
    let child = bin()
        .args(["check", path_str(&path)])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (code, _) = read_one_line_then_close(child, true);
    assert_eq!(
        code, 0,
        "check with stderr closed early must not panic (101)"
    );

    // Training logs from the library (standard `eprintln!`): no panic either.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m");
    let child = bin()
        .args([
            "train",
            "--config",
            "training/smoke.toml",
            "--out",
            path_str(&out),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (code, _) = read_one_line_then_close(child, true);
    assert!(
        code == 0 || code == 130,
        "train with stderr closed early: status {code}"
    );

    let child = bin()
        .args(["score", path_str(&path), "--engine", "rules"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (code, _) = read_one_line_then_close(child, true);
    assert_ne!(code, 101, "score must not panic on a closed standard error");
}

/// Sends SIGINT to a running command and returns its status and standard error. With
/// `stdin`, the command reads it from a pipe that stays open (and is fed once more after the
/// signal), so it cannot finish before the signal arrives.
fn interrupt(
    args: &[&str],
    after_ms: u64,
    stdin: Option<&[u8]>,
) -> Option<(i32, String, std::time::Duration)> {
    use std::io::Write;
    let mut child = bin()
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take();
    if let (Some(p), Some(bytes)) = (pipe.as_mut(), stdin) {
        p.write_all(bytes).unwrap();
        p.flush().unwrap();
    }
    std::thread::sleep(std::time::Duration::from_millis(after_ms));
    let sent = std::time::Instant::now();
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    if !killed.is_ok_and(|s| s.success()) {
        let _ = child.kill();
        let _ = child.wait();
        return None;
    }
    std::thread::sleep(std::time::Duration::from_millis(100));
    if let (Some(mut p), Some(bytes)) = (pipe, stdin) {
        let _ = p.write_all(bytes);
    }
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    Some((status.code().unwrap_or(-1), stderr, sent.elapsed()))
}

// Row 13: Ctrl-C during check, data, eval and train.
#[test]
fn ctrl_c_stops_check_data_eval_and_train_with_status_130() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.jsonl");
    let run = linkscreen(&[
        "synth",
        "--n",
        "20000",
        "--seed",
        "3",
        "--out",
        path_str(&big),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let examples = std::fs::read(root().join(EXAMPLES)).unwrap();
    let out = dir.path().join("model");
    // The smoke configuration, made long enough that the signal always comes first.
    let config = std::fs::read_to_string(root().join("training/smoke.toml"))
        .unwrap()
        .replace("synthetic = 400", "synthetic = 20000")
        .replace("epochs = 3", "epochs = 50")
        .replace("patience = 2", "patience = 50");
    let slow = dir.path().join("slow.toml");
    std::fs::write(&slow, config).unwrap();
    type Case<'a> = (&'a str, Vec<&'a str>, Option<&'a [u8]>);
    let split_dir = dir.path().join("split");
    let cases: [Case; 4] = [
        ("check", vec!["check", "-"], Some(&examples)),
        (
            "data",
            vec![
                "data",
                "split",
                "-",
                "--seed",
                "1",
                "--out-dir",
                path_str(&split_dir),
            ],
            Some(&examples),
        ),
        (
            "eval",
            vec!["eval", path_str(&big), "--bootstrap", "2000"],
            None,
        ),
        (
            "train",
            vec![
                "train",
                "--config",
                path_str(&slow),
                "--out",
                path_str(&out),
                "--device",
                "cpu",
            ],
            None,
        ),
    ];
    for (name, args, stdin) in cases {
        let Some((code, stderr, took)) = interrupt(&args, 400, stdin) else {
            eprintln!("skipped: cannot send SIGINT with `kill` here");
            return;
        };
        assert_eq!(code, 130, "{name}: {stderr}");
        assert!(stderr.contains("interrupted"), "{name}: {stderr}");
        assert!(took.as_secs() < 5, "{name} took {took:?} to stop");
    }
    // An interrupted training leaves no complete-looking model at OUT.
    assert!(!out.join("manifest.json").exists());
}

// Hints: inputs that are not JSON Lines, values written another way, an empty input.
#[test]
fn a_csv_file_gets_one_hint_not_an_error_per_line() {
    let mut csv = String::from("id,headline,connections\n");
    for i in 0..500 {
        csv.push_str(&format!("p{i},Engineer,{i}\n"));
    }
    let (_d, path) = temp_file("profiles.csv", csv.as_bytes());
    let run = linkscreen(&["check", path_str(&path)]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("this looks like CSV"), "{}", run.stderr);
    assert!(
        run.stderr.contains("docs/profile-format.md"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.lines().count() <= 4, "{}", run.stderr);
    assert!(
        run.stderr.contains("valid 0, rejected 501"),
        "{}",
        run.stderr
    );
}

#[test]
fn pretty_printed_json_and_json_arrays_get_one_hint() {
    let pretty = b"{\n  \"id\": \"a\",\n  \"headline\": \"x\"\n}\n{\n  \"id\": \"b\"\n}\n";
    let (_d, path) = temp_file("pretty.json", pretty);
    let run = linkscreen(&["score", path_str(&path), "--engine", "rules"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("pretty-printed JSON"), "{}", run.stderr);
    assert!(run.stderr.lines().count() <= 4, "{}", run.stderr);
    assert!(run.stderr.contains("rejected 7"), "{}", run.stderr);

    let array = b"[{\"id\":\"a\"},{\"id\":\"b\"}]\n";
    let (_d, path) = temp_file("array.json", array);
    let run = linkscreen(&["check", path_str(&path)]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("looks like a JSON array"),
        "{}",
        run.stderr
    );
    let array = b"[\n{\"id\":\"a\"},\n{\"id\":\"b\"}\n]\n";
    let (_d, path) = temp_file("array2.json", array);
    let run = linkscreen(&["check", path_str(&path)]);
    assert!(
        run.stderr.contains("looks like a JSON array"),
        "{}",
        run.stderr
    );
    // A line that is a valid record on its own is still read.
    assert!(run.stderr.contains("valid 1, rejected 3"), "{}", run.stderr);
}

#[test]
fn a_byte_order_mark_is_ignored_with_a_note() {
    let (_d, path) = temp_file("bom.jsonl", b"\xEF\xBB\xBF{\"id\":\"a\"}\n{\"id\":\"b\"}\n");
    let run = linkscreen(&["check", path_str(&path)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("byte-order mark"), "{}", run.stderr);
    assert!(run.stderr.contains("valid 2, rejected 0"), "{}", run.stderr);
}

#[test]
fn values_written_another_way_get_hints() {
    let input = b"{\"id\":\"a\",\"connections\":\"500+\"}\n\
                  {\"id\":\"b\",\"experience\":[{\"start\":\"Jan 2023\"}]}\n\
                  {\"id\":\"c\",\"experience\":[{\"start\":\"2020-01\",\"end\":\"Present\"}]}\n\
                  {\"id\":\"d\",\"followers\":\"a lot\"}\n";
    let run = linkscreen_with_stdin(&["check", "-"], Some(input));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("line 1: connections:") && run.stderr.contains("(use 500,"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("(use \"2023-01\")"), "{}", run.stderr);
    assert!(
        run.stderr.contains("(use null for a current position)"),
        "{}",
        run.stderr
    );
    // No hint, and no text, for a value that is not a number at all.
    assert!(!run.stderr.contains("a lot"), "{}", run.stderr);
}

#[test]
fn rules_with_the_model_engine_is_a_usage_error() {
    let run = linkscreen(&[
        "score",
        EXAMPLES,
        "--engine",
        "model",
        "--rules",
        "models/rules/default.toml",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("--rules has no effect with --engine model"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    // The default ensemble (its linear engine reads the shipped rules' indicators) reads no
    // rule file.
    let run = linkscreen(&["score", EXAMPLES, "--rules", "models/rules/default.toml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("--rules has no effect with --engine ensemble"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_empty_input_says_so() {
    for input in [&b""[..], b"\n\n  \n"] {
        for cmd in ["check", "score"] {
            let run = linkscreen_with_stdin(&[cmd, "-"], Some(input));
            assert_eq!(run.code, 0, "{cmd}: {}", run.stderr);
            assert!(
                run.stderr.contains("the input is empty"),
                "{cmd}: {}",
                run.stderr
            );
        }
    }
}

/// A copy of the shipped model directory.
fn model_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(root().join("models/default")).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), dir.path().join(f.file_name())).unwrap();
    }
    dir
}

/// Runs `score` with `--model dir`, killing it if it has not finished in 20 s.
fn score_with_model(dir: &std::path::Path, engine: &str) -> (i32, String) {
    let mut child = bin()
        .args([
            "score",
            EXAMPLES,
            "--engine",
            engine,
            "--model",
            path_str(dir),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            return (status.code().unwrap_or(-1), stderr);
        }
        if start.elapsed().as_secs() > 20 {
            let _ = child.kill();
            let _ = child.wait();
            panic!("linkscreen hung on model directory {}", dir.display());
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

// Row 3: a hybrid.json that the manifest does not list.
#[test]
fn an_unlisted_hybrid_file_beside_a_model_is_refused_by_name() {
    let mut c = linkscreen::artifact::Artifact::embedded().unwrap();
    c.hybrid = None;
    let dir = tempfile::tempdir().unwrap();
    c.save(dir.path()).unwrap();
    let (code, stderr) = score_with_model(dir.path(), "hybrid");
    assert_eq!(
        code, 0,
        "a model without hybrid.json uses the defaults: {stderr}"
    );
    std::fs::write(
        dir.path().join("hybrid.json"),
        r#"{"format_version":1,"a":0.0,"b":0.0,"c":-20.0}"#,
    )
    .unwrap();
    for engine in ["hybrid", "model"] {
        let (code, stderr) = score_with_model(dir.path(), engine);
        assert_eq!(code, 2, "{engine}: {stderr}");
        assert!(
            stderr.contains("hybrid.json") && stderr.contains("not listed in manifest.json"),
            "{engine}: {stderr}"
        );
    }
}

// Row 4: a model file replaced by a FIFO, a device, or something huge.
#[test]
fn model_files_that_are_not_small_regular_files_are_refused_without_reading() {
    let dir = model_copy();
    let tok = dir.path().join("tokenizer.json");
    std::fs::remove_file(&tok).unwrap();
    if Command::new("mkfifo")
        .arg(&tok)
        .status()
        .is_ok_and(|s| s.success())
    {
        let (code, stderr) = score_with_model(dir.path(), "model");
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains("tokenizer.json") && stderr.contains("not a regular file"),
            "{stderr}"
        );
        std::fs::remove_file(&tok).unwrap();
    } else {
        eprintln!("skipped the FIFO case: no mkfifo");
    }
    std::os::unix::fs::symlink("/dev/zero", &tok).unwrap();
    let (code, stderr) = score_with_model(dir.path(), "model");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
    std::fs::remove_file(&tok).unwrap();
    // A sparse 1 GiB file: refused by its size, before a byte is read.
    let f = std::fs::File::create(&tok).unwrap();
    f.set_len(1 << 30).unwrap();
    let (code, stderr) = score_with_model(dir.path(), "model");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("more than the limit"), "{stderr}");
}

#[test]
fn a_missing_model_directory_is_not_found_and_a_future_manifest_is_refused() {
    let (code, stderr) = score_with_model(std::path::Path::new("/nonexistent/model"), "model");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not found"), "{stderr}");
    assert!(!stderr.contains("integrity"), "{stderr}");
    let dir = model_copy();
    let m = dir.path().join("manifest.json");
    let text = std::fs::read_to_string(&m).unwrap();
    std::fs::write(
        &m,
        text.replacen("\"format_version\": 1", "\"format_version\": 9", 1),
    )
    .unwrap();
    let (code, stderr) = score_with_model(dir.path(), "model");
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("manifest.json") && stderr.contains("format_version 9"),
        "{stderr}"
    );
}

// Rows 14 and 15: rule files that are slow to match or read identity proxies.
#[test]
fn rule_files_with_huge_regexes_or_identity_fields_are_refused_naming_the_rule() {
    let head = "format_version = 1\nbias = -3.0\n[thresholds]\nreview = 0.5\nfake = 0.8\n\
                [[rule]]\ncode = \"evil\"\ndescription = \"d\"\nsources = [\"NPSA\"]\nweight = 1.0\n";
    for (body, needle) in [
        (
            "fields = [\"about\"]\nregex = \"a{100000}\"\n",
            "repetition count 100000",
        ),
        (
            "fields = [\"username\"]\nphrases.en = [\"ivanov\"]\n",
            "`username`",
        ),
        (
            "fields = [\"location\"]\nregex = \"beijing\"\n",
            "`location`",
        ),
        (
            "fields = [\"languages\"]\nphrases.en = [\"russian\"]\n",
            "`languages`",
        ),
    ] {
        let (_d, path) = temp_file("rules.toml", format!("{head}{body}").as_bytes());
        let started = std::time::Instant::now();
        let run = linkscreen(&[
            "score",
            EXAMPLES,
            "--engine",
            "rules",
            "--rules",
            path_str(&path),
        ]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("rule evil") && run.stderr.contains(needle),
            "{}",
            run.stderr
        );
        assert!(started.elapsed().as_secs() < 5);
    }
}

// Row 7, HTML: ids echoed in an evaluation report.
#[test]
fn control_and_bidi_characters_are_escaped_in_the_html_report() {
    let mut input = String::new();
    for i in 0..6 {
        let label = if i % 2 == 0 { "fake" } else { "genuine" };
        input.push_str(&format!(
            "{{\"id\":\"p{i}\\u202egnp.exe\\u001b[2J\",\"headline\":\"Manager {i}\",\"label\":\"{label}\"}}\n"
        ));
    }
    let (dir, path) = temp_file("labelled.jsonl", input.as_bytes());
    let report = dir.path().join("report.html");
    let run = linkscreen(&[
        "eval",
        path_str(&path),
        "--engines",
        "rules",
        "--bootstrap",
        "0",
        "--report",
        path_str(&report),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(
        html.contains("p0\\u{202e}gnp.exe\\u{1b}[2J"),
        "ids not in the report"
    );
    assert!(!html.contains('\u{202e}') && !html.contains('\u{1b}'));
}
