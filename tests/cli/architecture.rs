//! The rules of `ARCHITECTURE.md` ("Dependency rules"), checked on the source text: which
//! top-level module may import which (no circle, nothing running back up the layers, leaves
//! that import nothing from the crate), which modules open files or print, where the binary
//! sets up engines and decides a closed pipe, which files may hold `unsafe` code, and how long
//! a source file may be. Each check is also run on a small made-up source tree that breaks it,
//! so that a check that could never fail would be noticed.
//!
//! The source is read as text: comments, strings and character literals are blanked, then
//! every path that starts with `crate::`, `$crate::`, `linkscreen::` or enough `super::` to
//! reach the crate root names the top-level module it leads into (groups such as
//! `crate::{a, b::C}` name each). Test code counts for imports; it does not count for the
//! file and printing rules (tests write temporary files and print skip notes).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Most lines in one source file.
const MAX_LINES: usize = 500;

/// Generated files, exempt from the size limit; each says so in its first line.
const GENERATED: &[&str] = &["src/normalize/tables.rs"];

/// Files known to be over the limit, with the reason. The check fails as soon as one is no
/// longer over it, so that the exception is removed with the cause.
const KNOWN_LONG: &[(&str, &str)] = &[];

/// The top-level modules in layers, lowest first: a module may import only from layers below
/// its own. `cli` is the binary (with `src/main.rs`); `testing` exists only in unit tests.
const LAYERS: &[&[&str]] = &[
    &[
        "metrics",
        "normalize",
        "profile",
        "meta",
        "platt",
        "fnv",
        "cache",
        "names",
    ],
    &["evidence", "score", "features", "linkedin"],
    &["rules", "testing"],
    &["hybrid", "ensemble", "synth", "datasets"],
    &["model", "eval"],
    &["linear"],
    &["artifact"],
    &["train"],
    &["cli"],
];

/// Modules that import nothing from the crate.
const LEAVES: &[&str] = &[
    "cache",
    "fnv",
    "meta",
    "metrics",
    "names",
    "normalize",
    "platt",
    "profile",
];

/// The external crates `metrics` may name: it is plain arithmetic on slices (std aside).
const METRICS_CRATES: &[&str] = &["serde"];

/// The modules whose non-test code may open, read or write files (`std::fs`, `File`,
/// `OpenOptions`), each with what it opens. Every other module takes bytes, text or values.
const FILE_MODULES: &[(&str, &str)] = &[
    ("cli", "the commands' inputs, outputs and reports"),
    ("profile", "a profile file, in `open` and `load`"),
    ("meta", "a meta sidecar, in `load`"),
    ("rules", "a rule file, in `RuleSet::from_file`"),
    ("hybrid", "a coefficients file, in `HybridParams::load`"),
    (
        "artifact",
        "the model directory, in `Artifact::load` and `save`",
    ),
    ("train", "the training configuration file"),
    ("datasets", "public data sets and their checksums"),
    ("linkedin", "LinkedIn's data export, a zip file or a folder"),
];

/// The modules whose non-test code may print (`println!`, `eprintln!`, standard streams),
/// each with the reason. Everything else reports through return values.
const PRINTING_MODULES: &[(&str, &str)] = &[("cli", "the binary: it alone prints")];

/// The files that may hold an `unsafe` block, each with what it does.
const UNSAFE_FILES: &[(&str, &str)] = &[
    ("src/cache.rs", "a prefetch hint, which reads nothing"),
    (
        "src/cli/output.rs",
        "borrowing standard output's descriptor to duplicate it",
    ),
];

/// The one file of the binary that decides what a closed pipe means.
const PIPE_FILE: &str = "src/cli/output.rs";

/// The one file of the binary that loads and builds engines, and the calls that do it.
const ENGINE_FILE: &str = "src/cli/engine.rs";
const ENGINE_SETUP: &[(&str, &str)] = &[
    ("Classifier", "load"),
    ("Classifier", "embedded"),
    ("Artifact", "load"),
    ("Artifact", "embedded"),
    ("RuleSet", "from_file"),
    ("RuleSet", "default_rules"),
    ("LinearModel", "from_files"),
    ("Hybrid", "new"),
    ("HybridParams", "choose"),
];

/// One source file: its path from the repository root and its text.
struct Source {
    path: String,
    text: String,
}

fn read_sources(root: &Path) -> Vec<Source> {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(&root.join("src"), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| Source {
            path: p
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/"),
            text: std::fs::read_to_string(&p).unwrap(),
        })
        .collect()
}

/// The text with comments, strings and character literals replaced by spaces (line breaks
/// kept, so that line numbers stay right).
fn code_only(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let blank = |out: &mut String, ch: char| out.push(if ch == '\n' { '\n' } else { ' ' });
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let mut i = 0;
    while i < c.len() {
        let prev_ident = i > 0 && ident(c[i - 1]);
        if c[i] == '/' && c.get(i + 1) == Some(&'/') {
            while i < c.len() && c[i] != '\n' {
                blank(&mut out, c[i]);
                i += 1;
            }
        } else if c[i] == '/' && c.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
        } else if c[i] == 'r'
            && (!prev_ident || (i > 0 && c[i - 1] == 'b' && !(i > 1 && ident(c[i - 2]))))
            && matches!(c.get(i + 1), Some('"' | '#'))
            && c[i + 1..].iter().find(|&&x| x != '#') == Some(&'"')
        {
            // A raw string: r"...", r#"..."#, br##"..."##.
            let hashes = c[i + 1..].iter().take_while(|&&x| x == '#').count();
            let body = i + 1 + hashes + 1;
            let mut j = body;
            while j < c.len() {
                if c[j] == '"'
                    && c[j + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|&&x| x == '#')
                        .count()
                        == hashes
                {
                    break;
                }
                j += 1;
            }
            let end = (j + 1 + hashes).min(c.len());
            for &ch in &c[i..end] {
                blank(&mut out, ch);
            }
            i = end;
        } else if c[i] == '"' {
            blank(&mut out, c[i]);
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    blank(&mut out, c[i]);
                    i += 1;
                }
                if i < c.len() {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
            if i < c.len() {
                blank(&mut out, c[i]);
                i += 1;
            }
        } else if c[i] == '\'' && !prev_ident {
            // A character literal ('x', '\n', '\u{202e}', '\''), or a lifetime ('a), kept.
            let end = if c.get(i + 1) == Some(&'\\') {
                c[i + 3..]
                    .iter()
                    .position(|&x| x == '\'')
                    .map(|n| i + 3 + n)
            } else if c.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(end) => {
                    for &ch in &c[i..=end] {
                        blank(&mut out, ch);
                    }
                    i = end + 1;
                }
                None => {
                    out.push(c[i]);
                    i += 1;
                }
            }
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

/// Identifiers, `::` and the punctuation the scanner needs, with their line numbers.
fn tokens(code: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let c: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < c.len() {
            if c[i].is_alphabetic() || c[i] == '_' {
                let start = i;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
                out.push((c[start..i].iter().collect(), n + 1));
            } else if c[i] == ':' && c.get(i + 1) == Some(&':') {
                out.push(("::".into(), n + 1));
                i += 2;
            } else {
                if "{}(),;#[]!*".contains(c[i]) {
                    out.push((c[i].to_string(), n + 1));
                }
                i += 1;
            }
        }
    }
    out
}

/// The module path a file holds (`src/eval/summary.rs`: `eval::summary`); the library root
/// and the binary root (`src/lib.rs`, `src/main.rs`) are empty.
fn module_path(path: &str) -> Vec<String> {
    let rel = path.trim_start_matches("src/").trim_end_matches(".rs");
    let mut parts: Vec<String> = rel.split('/').map(str::to_owned).collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

/// The top-level module a file belongs to (`src/main.rs` belongs to `cli`, the binary).
fn top_module(path: &str) -> Option<String> {
    match path {
        "src/lib.rs" => None,
        "src/main.rs" => Some("cli".into()),
        _ => module_path(path).into_iter().next(),
    }
}

/// What one file says: the top-level modules it names (with the line of each), whether it
/// opens files or prints outside test code, and the child modules it declares in files
/// (`mod x;`), each with whether it is declared for tests only.
#[derive(Default)]
struct Scan {
    imports: BTreeMap<String, usize>,
    file_io: Option<usize>,
    prints: Option<usize>,
    children: Vec<(String, bool)>,
}

fn scan(path: &str, text: &str, test_only: bool) -> Scan {
    let toks = tokens(&code_only(text));
    let t = |k: usize| toks.get(k).map_or("", |x| x.0.as_str());
    let is_ident = |s: &str| {
        s.chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
    };
    let file_path = module_path(path);
    let mut out = Scan::default();
    // Open braces: (the inline module they open, whether they open test-only code).
    let mut braces: Vec<(Option<String>, bool)> = Vec::new();
    let mut cfg_test_at: Option<usize> = None;
    // Whether the `mod` at `at` is the item `#[cfg(test)]` marks (`pub(crate)` may come first).
    let marked = |at: usize, cfg: Option<usize>| cfg.is_some_and(|c| (c..=c + 4).contains(&at));
    let named = |out: &mut Scan, first: &str, line: usize| {
        if is_ident(first) && first != "self" && first != "super" && first != "crate" {
            out.imports.entry(first.to_owned()).or_insert(line);
        }
    };
    let mut k = 0;
    while k < toks.len() {
        let (tok, line) = (t(k), toks[k].1);
        let in_test = test_only || braces.iter().any(|b| b.1);
        // `#[cfg(test)]` marks the next item as test code.
        if tok == "#"
            && t(k + 1) == "["
            && t(k + 2) == "cfg"
            && t(k + 3) == "("
            && t(k + 4) == "test"
        {
            cfg_test_at = Some(k + 7);
        }
        match tok {
            "{" => {
                let module = (k >= 2 && t(k - 2) == "mod").then(|| t(k - 1).to_owned());
                let test = module.is_some() && marked(k - 2, cfg_test_at);
                braces.push((module, test));
            }
            "}" => {
                braces.pop();
            }
            ";" if k >= 2 && t(k - 2) == "mod" => {
                out.children
                    .push((t(k - 1).to_owned(), in_test || marked(k - 2, cfg_test_at)));
            }
            _ => {}
        }
        if !in_test {
            let io = matches!(tok, "File" | "OpenOptions") && t(k + 1) == "::"
                || tok == "fs" && k >= 2 && t(k - 1) == "::" && t(k - 2) == "std";
            if io && out.file_io.is_none() {
                out.file_io = Some(line);
            }
            let prints = matches!(tok, "println" | "eprintln" | "print" | "eprint" | "dbg")
                && t(k + 1) == "!"
                || matches!(tok, "stdout" | "stderr") && t(k + 1) == "(";
            if prints && out.prints.is_none() {
                out.prints = Some(line);
            }
        }
        // A path: its first segment, not preceded by `::`.
        if t(k + 1) == "::" && (k == 0 || t(k - 1) != "::") {
            let mut j = k;
            let root = match tok {
                "crate" | "linkscreen" => {
                    j = k + 2;
                    true
                }
                "super" => {
                    let mut depth = 0;
                    while t(j) == "super" && t(j + 1) == "::" {
                        depth += 1;
                        j += 2;
                    }
                    let inline = braces.iter().filter(|b| b.0.is_some()).count();
                    // The binary's root (`src/main.rs`) holds only `cli`.
                    depth >= file_path.len() + inline && !path.starts_with("src/cli")
                }
                _ => false,
            };
            if root {
                if t(j) == "{" {
                    // A group: the first segment of each of its items.
                    let mut depth = 0;
                    let mut at_item = true;
                    while j < toks.len() {
                        match t(j) {
                            "{" => {
                                depth += 1;
                                at_item = depth == 1;
                            }
                            "}" => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            "," if depth == 1 => at_item = true,
                            s if at_item => {
                                named(&mut out, s, toks[j].1);
                                at_item = false;
                            }
                            _ => {}
                        }
                        j += 1;
                    }
                } else {
                    named(&mut out, t(j), toks[j.min(toks.len() - 1)].1);
                }
            }
        }
        k += 1;
    }
    out
}

/// The whole tree: per top-level module, the modules it imports (with a file and line for
/// each), and the files that open files or print outside test code.
#[derive(Default)]
struct Tree {
    modules: BTreeSet<String>,
    imports: BTreeMap<String, BTreeMap<String, String>>,
    file_io: BTreeMap<String, String>,
    prints: BTreeMap<String, String>,
    externals: BTreeMap<String, BTreeSet<String>>,
}

fn analyse(sources: &[Source], external_crates: &BTreeSet<String>) -> Tree {
    let mut tree = Tree::default();
    tree.modules.insert("cli".into());
    for s in sources.iter().filter(|s| s.path == "src/lib.rs") {
        let toks = tokens(&code_only(&s.text));
        for w in toks.windows(3) {
            if w[0].0 == "mod" && w[2].0 == ";" {
                tree.modules.insert(w[1].0.clone());
            }
        }
    }
    // Files declared with `#[cfg(test)] mod x;` are test code, and so is every file they
    // declare in turn: the declarations are followed until nothing new is found.
    let children_of = |s: &Source, test_only: bool| -> Vec<(String, bool)> {
        let dir = match s.path.as_str() {
            "src/lib.rs" | "src/main.rs" => "src".to_owned(),
            p => p
                .strip_suffix("/mod.rs")
                .unwrap_or(p.trim_end_matches(".rs"))
                .to_owned(),
        };
        scan(&s.path, &s.text, test_only)
            .children
            .into_iter()
            .flat_map(|(c, test)| {
                [
                    (format!("{dir}/{c}.rs"), test),
                    (format!("{dir}/{c}/mod.rs"), test),
                ]
            })
            .collect()
    };
    let mut test_files: BTreeSet<String> = BTreeSet::new();
    loop {
        let before = test_files.len();
        for s in sources {
            let test_only = test_files.contains(&s.path);
            for (child, test) in children_of(s, test_only) {
                if test || test_only {
                    test_files.insert(child);
                }
            }
        }
        if test_files.len() == before {
            break;
        }
    }
    for s in sources {
        let sc = scan(&s.path, &s.text, test_files.contains(&s.path));
        let Some(top) = top_module(&s.path) else {
            continue;
        };
        let place = |line: usize| format!("{}:{line}", s.path);
        let entry = tree.imports.entry(top.clone()).or_default();
        for (m, &line) in &sc.imports {
            if *m != top && tree.modules.contains(m) {
                entry.entry(m.clone()).or_insert_with(|| place(line));
            }
        }
        if let Some(line) = sc.file_io {
            tree.file_io
                .entry(top.clone())
                .or_insert_with(|| place(line));
        }
        if let Some(line) = sc.prints {
            tree.prints
                .entry(top.clone())
                .or_insert_with(|| place(line));
        }
        let toks = tokens(&code_only(&s.text));
        for (k, w) in toks.windows(2).enumerate() {
            let first = k == 0 || toks[k - 1].0 != "::";
            if first && w[1].0 == "::" && external_crates.contains(&w[0].0) {
                tree.externals
                    .entry(top.clone())
                    .or_default()
                    .insert(w[0].0.clone());
            }
        }
    }
    tree
}

/// The dependency names of `Cargo.toml` (all sections), as Rust spells them.
fn external_crates(manifest: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut in_deps = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line.ends_with("dependencies]");
        } else if in_deps && !line.starts_with('#') {
            if let Some((name, _)) = line.split_once('=') {
                out.insert(name.trim().replace('-', "_"));
            }
        }
    }
    out
}

/// A circle of imports between top-level modules, if there is one.
fn find_circle(imports: &BTreeMap<String, BTreeMap<String, String>>) -> Option<Vec<String>> {
    fn visit(
        m: &str,
        imports: &BTreeMap<String, BTreeMap<String, String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|s| s == m) {
            let mut circle = stack[at..].to_vec();
            circle.push(m.to_owned());
            return Some(circle);
        }
        if done.contains(m) {
            return None;
        }
        stack.push(m.to_owned());
        for next in imports.get(m).into_iter().flat_map(|i| i.keys()) {
            if let Some(c) = visit(next, imports, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(m.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    imports
        .keys()
        .find_map(|m| visit(m, imports, &mut Vec::new(), &mut done))
}

/// Every broken rule, one line each.
fn violations(sources: &[Source], external: &BTreeSet<String>) -> Vec<String> {
    let tree = analyse(sources, external);
    let mut bad = Vec::new();
    if let Some(circle) = find_circle(&tree.imports) {
        bad.push(format!("import circle: {}", circle.join(" -> ")));
    }
    let layer = |m: &str| LAYERS.iter().position(|l| l.contains(&m));
    for m in &tree.modules {
        if layer(m).is_none() {
            bad.push(format!("module {m} is in no layer of LAYERS"));
        }
    }
    for m in LAYERS.iter().flat_map(|l| l.iter()) {
        if !tree.modules.contains(*m) {
            bad.push(format!("LAYERS names {m}, which is not a module"));
        }
    }
    for (from, to) in &tree.imports {
        for (m, place) in to {
            if let (Some(a), Some(b)) = (layer(from), layer(m)) {
                if b >= a {
                    bad.push(format!(
                        "{from} imports {m} ({place}), which is not in a lower layer"
                    ));
                }
            }
        }
    }
    for leaf in LEAVES {
        for (m, place) in tree.imports.get(*leaf).into_iter().flatten() {
            bad.push(format!("leaf {leaf} imports {m} ({place})"));
        }
    }
    for c in tree.externals.get("metrics").into_iter().flatten() {
        if !METRICS_CRATES.contains(&c.as_str()) {
            bad.push(format!("metrics names the external crate {c}"));
        }
    }
    for (m, place) in &tree.file_io {
        if !FILE_MODULES.iter().any(|(f, _)| f == m) {
            bad.push(format!("{m} touches files ({place})"));
        }
    }
    for (m, place) in &tree.prints {
        if !PRINTING_MODULES.iter().any(|(p, _)| p == m) {
            bad.push(format!("{m} prints ({place})"));
        }
    }
    for (m, why) in PRINTING_MODULES {
        if tree.modules.contains(*m) && !tree.prints.contains_key(*m) {
            bad.push(format!(
                "{m} no longer prints: remove it from PRINTING_MODULES ({why})"
            ));
        }
    }
    for s in sources.iter().filter(|s| s.path.starts_with("src/cli/")) {
        let toks = tokens(&code_only(&s.text));
        let t = |k: usize| toks.get(k).map_or("", |x| x.0.as_str());
        for (k, (tok, line)) in toks.iter().enumerate() {
            if tok == "BrokenPipe" && s.path != PIPE_FILE {
                bad.push(format!(
                    "{}:{line} decides a closed pipe outside {PIPE_FILE}",
                    s.path
                ));
            }
            let setup = ENGINE_SETUP
                .iter()
                .any(|(ty, f)| tok == ty && t(k + 1) == "::" && t(k + 2) == *f);
            if setup && s.path != ENGINE_FILE {
                bad.push(format!(
                    "{}:{line} sets up an engine outside {ENGINE_FILE}",
                    s.path
                ));
            }
        }
    }
    for s in sources {
        let unsafe_at = tokens(&code_only(&s.text))
            .into_iter()
            .find(|(tok, _)| tok == "unsafe");
        if let Some((_, line)) = unsafe_at {
            if !UNSAFE_FILES.iter().any(|(p, _)| *p == s.path) {
                bad.push(format!("{}:{line} holds unsafe code", s.path));
            }
        }
    }
    for s in sources {
        let lines = s.text.lines().count();
        let long = lines > MAX_LINES;
        let known = KNOWN_LONG.iter().find(|(p, _)| *p == s.path);
        if GENERATED.contains(&s.path.as_str()) {
            if !s.text.starts_with("//! Generated") {
                bad.push(format!(
                    "{} is exempt as generated but does not say so",
                    s.path
                ));
            }
        } else if long && known.is_none() {
            bad.push(format!(
                "{} has {lines} lines (at most {MAX_LINES})",
                s.path
            ));
        } else if let (false, Some((p, why))) = (long, known) {
            bad.push(format!(
                "{p} has {lines} lines now: remove it from KNOWN_LONG ({why})"
            ));
        }
    }
    for (p, why) in KNOWN_LONG {
        if !sources.iter().any(|s| s.path == *p) {
            bad.push(format!("{p} is gone: remove it from KNOWN_LONG ({why})"));
        }
    }
    bad
}

fn repository() -> (Vec<Source>, BTreeSet<String>) {
    let root = crate::root();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    (read_sources(&root), external_crates(&manifest))
}

#[test]
fn the_source_keeps_the_dependency_rules() {
    let (sources, external) = repository();
    let bad = violations(&sources, &external);
    assert!(
        bad.is_empty(),
        "ARCHITECTURE.md's dependency rules are broken:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_scanner_sees_the_imports_of_the_real_tree() {
    // Known imports of today's code, as a check that the scanner reads real files right.
    let (sources, external) = repository();
    let tree = analyse(&sources, &external);
    let imports = |m: &str| -> Vec<String> {
        tree.imports
            .get(m)
            .map(|i| i.keys().cloned().collect())
            .unwrap_or_default()
    };
    assert!(imports("eval").contains(&"metrics".to_owned()));
    assert!(imports("cli").contains(&"score".to_owned()));
    assert!(imports("train").contains(&"model".to_owned()));
    assert!(imports("metrics").is_empty());
    assert!(tree.file_io.contains_key("profile") && tree.file_io.contains_key("cli"));
    assert!(!tree.file_io.contains_key("normalize"), "test code counted");
    assert_eq!(
        tree.externals["metrics"],
        BTreeSet::from(["serde".to_owned()])
    );
}

/// A made-up tree: `src/lib.rs` declaring the layers' modules, plus `files`.
fn made_up(files: &[(&str, &str)]) -> Vec<String> {
    let mods: String = LAYERS
        .iter()
        .flat_map(|l| l.iter())
        .filter(|m| **m != "cli")
        .map(|m| format!("pub mod {m};\n"))
        .collect();
    let mut sources = vec![Source {
        path: "src/lib.rs".into(),
        text: mods,
    }];
    for (path, text) in files {
        sources.push(Source {
            path: (*path).into(),
            text: (*text).into(),
        });
    }
    // The known exceptions, so that only what `files` breaks is reported.
    for (p, _) in KNOWN_LONG {
        sources.push(Source {
            path: (*p).into(),
            text: "\n".repeat(MAX_LINES + 1),
        });
    }
    for (m, _) in PRINTING_MODULES {
        sources.push(Source {
            path: format!("src/{m}/printing.rs"),
            text: "fn f() { println!(\"x\"); }".into(),
        });
    }
    let external = BTreeSet::from(["serde".to_owned(), "regex".to_owned()]);
    violations(&sources, &external)
}

#[test]
fn a_made_up_tree_that_keeps_the_rules_passes() {
    let bad = made_up(&[
        ("src/eval/mod.rs", "use crate::metrics::Figures;\nuse crate::{score::Scorer, profile};"),
        ("src/eval/summary.rs", "use super::super::metrics::Ranked;"),
        ("src/metrics.rs", "use serde::Serialize;\n// crate::eval is only a comment\nconst S: &str = \"crate::train\";"),
        ("src/cli/score.rs", "use linkscreen::eval;\nfn f() { std::fs::read(\"x\"); }"),
        ("src/cli/engine.rs", "fn f() { Classifier::embedded(); RuleSet::default_rules(); }"),
        ("src/cli/output.rs", "fn f(e: &io::Error) -> bool { e.kind() == io::ErrorKind::BrokenPipe }"),
        ("src/rules/mod.rs", "fn f() { let _ = '\"'; let _ = r#\"crate::train \"\"#; }\nuse crate::score;"),
        ("src/hybrid/tests.rs", "use crate::testing::HeadlineScorer;"),
        ("src/score.rs", "#[cfg(test)]\nmod tests {\n    fn f() { std::fs::write(\"x\", \"\"); }\n}"),
        ("src/normalize.rs", "#[cfg(test)]\nmod generate;"),
        ("src/normalize/generate.rs", "fn f() { std::fs::write(\"x\", \"\"); println!(); }"),
        ("src/cache.rs", "fn f(p: *const i8) { unsafe { hint(p) } }"),
    ]);
    assert!(bad.is_empty(), "{bad:?}");
}

#[test]
fn a_made_up_tree_that_breaks_each_rule_is_caught() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[
                ("src/eval/mod.rs", "use crate::hybrid::HybridParams;"),
                ("src/hybrid.rs", "use crate::eval::run_engine;"),
            ],
            "import circle",
        ),
        (
            &[(
                "src/score.rs",
                "fn f() -> crate::model::Classifier { todo!() }",
            )],
            "score imports model",
        ),
        (
            &[("src/metrics.rs", "use crate::score::Thresholds;")],
            "leaf metrics imports score",
        ),
        (
            &[(
                "src/profile/parse.rs",
                "use super::super::{normalize::normalize, meta};",
            )],
            "leaf profile imports meta",
        ),
        (
            &[("src/metrics.rs", "fn f() { regex::Regex::new(\"x\"); }")],
            "metrics names the external crate regex",
        ),
        (
            &[(
                "src/features/mod.rs",
                "fn f() { let _ = std::fs::read(\"x\"); }",
            )],
            "features touches files",
        ),
        (
            &[("src/linear/mod.rs", "fn f() { eprintln!(\"progress\"); }")],
            "linear prints",
        ),
        (
            &[(
                "src/cli/data.rs",
                "fn f(e: &io::Error) -> bool { e.kind() == io::ErrorKind::BrokenPipe }",
            )],
            "src/cli/data.rs:1 decides a closed pipe outside src/cli/output.rs",
        ),
        (
            &[(
                "src/cli/score.rs",
                "fn f() { let m = Classifier::embedded(); }",
            )],
            "src/cli/score.rs:1 sets up an engine outside src/cli/engine.rs",
        ),
        (
            &[(
                "src/model/net.rs",
                "fn f(p: *const u8) -> u8 {\n    // unsafe is fine in a comment\n    unsafe { *p }\n}",
            )],
            "src/model/net.rs:3 holds unsafe code",
        ),
        (
            &[("src/linear/mod.rs", &"\n".repeat(MAX_LINES + 1))],
            "src/linear/mod.rs has 501 lines",
        ),
    ];
    for (files, expected) in cases {
        let bad = made_up(files);
        assert!(
            bad.iter().any(|b| b.contains(expected)),
            "{files:?}: expected {expected:?}, got {bad:?}"
        );
    }
}

#[test]
fn a_module_in_no_layer_is_caught() {
    let mut sources = vec![Source {
        path: "src/lib.rs".into(),
        text: "pub mod orphan;".into(),
    }];
    sources.push(Source {
        path: "src/orphan.rs".into(),
        text: String::new(),
    });
    let bad = violations(&sources, &BTreeSet::new());
    assert!(
        bad.iter()
            .any(|b| b == "module orphan is in no layer of LAYERS"),
        "{bad:?}"
    );
}
