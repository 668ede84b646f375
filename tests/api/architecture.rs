//! The layering rules of issue #10, checked on the source text: `src/store/` (the service layer)
//! imports no surface (GraphQL, HTTP, REST, axum, async-graphql) and names no dialect, and
//! `src/` has exactly one `macro_rules!` (`db_run!`).

use std::path::{Path, PathBuf};

/// Imports the store must not have (surfaces and their frameworks).
const FORBIDDEN_IMPORTS: &[&str] = &[
    "use crate::graphql",
    "use crate::http",
    "use crate::rest",
    "axum::",
    "async_graphql",
];

/// Dialects the store must not name, in any case.
const DIALECTS: &[&str] = &["spree", "medusa"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn sources(under: &str) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(under),
        &mut files,
    );
    assert!(!files.is_empty(), "no Rust files under {under}");
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            (path, text)
        })
        .collect()
}

/// What one store file does wrong, one line per rule broken.
fn store_violations(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let imports = FORBIDDEN_IMPORTS
        .iter()
        .filter(|needle| text.contains(*needle))
        .map(|needle| format!("contains `{needle}`"));
    let dialects = DIALECTS
        .iter()
        .filter(|name| lower.contains(*name))
        .map(|name| format!("names the dialect `{name}`"));
    imports.chain(dialects).collect()
}

#[test]
fn the_rules_catch_what_they_are_for() {
    assert!(store_violations("use crate::store::Store;\n").is_empty());
    assert_eq!(
        store_violations("use crate::graphql::error;\n/// As Spree does.\n"),
        ["contains `use crate::graphql`", "names the dialect `spree`"]
    );
    assert_eq!(
        store_violations("fn f(_: axum::Json<()>) {}\n"),
        ["contains `axum::`"]
    );
}

#[test]
fn the_store_imports_no_surface_and_names_no_dialect() {
    let broken: Vec<String> = sources("src/store")
        .into_iter()
        .flat_map(|(path, text)| {
            store_violations(&text)
                .into_iter()
                .map(move |v| format!("{}: {v}", path.display()))
        })
        .collect();
    assert!(
        broken.is_empty(),
        "src/store breaks its rules:\n{}",
        broken.join("\n")
    );
}

#[test]
fn src_has_exactly_one_macro() {
    let macros: Vec<String> = sources("src")
        .into_iter()
        .flat_map(|(path, text)| {
            text.lines()
                .filter(|line| line.contains("macro_rules!"))
                .map(|line| format!("{}: {}", path.display(), line.trim()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(
        macros.len(),
        1,
        "one macro (`db_run!`) expected:\n{}",
        macros.join("\n")
    );
}
