//! The one integration-test binary: it drives the real `linkscreen` executable on fixtures.
//! Each command's tests live in their own module.

mod architecture;
mod data;
mod docs;
mod eval;
mod evidence;
mod habits;
mod hardening;
mod linear;
mod linkedin;
mod model;
mod reliability;
mod report;
mod score;
mod synth;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository root, for fixtures and shipped files.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// A finished run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The JSON Lines records the run wrote on standard output, parsed.
    pub fn records(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// Runs `linkscreen ARGS` in the repository root.
pub fn linkscreen(args: &[&str]) -> Run {
    linkscreen_with_stdin(args, None)
}

/// Runs `linkscreen ARGS` feeding `stdin` bytes.
pub fn linkscreen_with_stdin(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_linkscreen"))
        .args(args)
        .current_dir(root())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the linkscreen binary runs");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        // The child may exit before reading everything; that is its business.
        let _ = pipe.write_all(bytes);
    }
    child
        .wait_with_output()
        .expect("linkscreen finishes")
        .into()
}

/// Writes `contents` to a fresh temporary file and returns its directory guard and path.
pub fn temp_file(name: &str, contents: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, contents).unwrap();
    (dir, path)
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("test paths are UTF-8")
}
