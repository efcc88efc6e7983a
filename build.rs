//! Records the date of the embedded model (the last commit of its manifest) for
//! `linkscreen --version` and reports; "unknown" outside a git checkout.

fn main() {
    println!("cargo:rerun-if-changed=models/default/manifest.json");
    let date = std::process::Command::new("git")
        .args([
            "log",
            "-1",
            "--format=%cs",
            "--",
            "models/default/manifest.json",
        ])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=LINKSCREEN_MODEL_DATE={date}");
}
