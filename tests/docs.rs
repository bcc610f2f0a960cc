//! The documentation refers only to what a clone of the repository holds: no text file
//! points at the team's files outside it, and every relative link of the README and of
//! `docs/*.md` leads to a file that exists.

use std::fs;
use std::path::{Path, PathBuf};

/// Folders (and top-level files) of the repository whose text files are checked.
const ROOTS: [&str; 11] = [
    "README.md",
    "CHANGELOG.md",
    "docs",
    "scenarios",
    "crates",
    "src",
    "tools",
    "tests",
    "data",
    "benches",
    "Cargo.toml",
];

/// Extensions of the text files that are checked.
const TEXT: [&str; 5] = ["rs", "toml", "md", "csv", "txt"];

/// References to things outside the repository. Built with `concat!` so that this file
/// does not match its own patterns.
const OUTSIDE: [&str; 3] = [
    concat!("..", "/shared"),
    concat!("shared", "/reference"),
    concat!("MODEL", ".md"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every text file under `path`, skipping build output and hidden folders, in a fixed order.
fn text_files(path: &Path, out: &mut Vec<PathBuf>) {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if path.is_dir() {
        if name == "target" || name.starts_with('.') {
            return;
        }
        let mut entries: Vec<PathBuf> = fs::read_dir(path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .map(|entry| entry.expect("directory entry").path())
            .collect();
        entries.sort();
        for entry in entries {
            text_files(&entry, out);
        }
    } else if path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| TEXT.contains(&e))
    {
        out.push(path.to_path_buf());
    }
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn no_file_refers_to_the_teams_files_outside_the_repository() {
    let mut files = Vec::new();
    for name in ROOTS {
        let path = root().join(name);
        if path.exists() {
            text_files(&path, &mut files);
        }
    }
    assert!(files.len() > 50, "found only {} text files", files.len());
    let mut problems = Vec::new();
    for file in &files {
        let Ok(text) = fs::read_to_string(file) else {
            continue;
        };
        for (number, line) in text.lines().enumerate() {
            for pattern in OUTSIDE {
                if line.contains(pattern) {
                    problems.push(format!(
                        "{}:{}: `{pattern}` is not in a clone (use docs/model.md or data/): {}",
                        relative(file),
                        number + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// The targets of the inline links `[text](target)` of a markdown text outside fenced
/// code blocks, with their line numbers.
fn link_targets(text: &str) -> Vec<(usize, String)> {
    let mut targets = Vec::new();
    let mut fenced = false;
    for (number, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let mut rest = line;
        while let Some(start) = rest.find("](") {
            rest = &rest[start + 2..];
            let end = rest.find(')').unwrap_or(rest.len());
            // A title after the target (`](path "title")`) is not part of it.
            let target = rest[..end].split_whitespace().next().unwrap_or("");
            targets.push((number + 1, target.trim_matches(['<', '>']).to_string()));
            rest = &rest[end..];
        }
    }
    targets
}

#[test]
fn relative_links_of_the_readme_and_docs_lead_to_existing_files() {
    let mut pages = vec![root().join("README.md")];
    let docs = root().join("docs");
    if docs.is_dir() {
        let mut found = Vec::new();
        text_files(&docs, &mut found);
        pages.extend(
            found
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e == "md")),
        );
    }
    let mut problems = Vec::new();
    let mut checked = 0;
    for page in &pages {
        let text = fs::read_to_string(page).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
        let folder = page.parent().expect("a page is in a folder");
        for (line, target) in link_targets(&text) {
            let external = target.is_empty()
                || target.starts_with('#')
                || target.contains("://")
                || target.starts_with("mailto:");
            if external {
                continue;
            }
            let path = target.split('#').next().unwrap_or("");
            checked += 1;
            if !folder.join(path).exists() {
                problems.push(format!(
                    "{}:{line}: link to `{target}`: no such file",
                    relative(page)
                ));
            }
        }
    }
    assert!(
        checked > 0,
        "no relative links found in README.md and docs/"
    );
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn link_targets_are_read_from_inline_links_outside_code() {
    let text = "See [the model](docs/model.md#4-processes) and [a site](https://example.org).\n\
                ```\nx = a[b](c)\n```\n[titled](data/README.md \"Reference rows\")";
    let targets: Vec<String> = link_targets(text).into_iter().map(|(_, t)| t).collect();
    assert_eq!(
        targets,
        [
            "docs/model.md#4-processes",
            "https://example.org",
            "data/README.md"
        ]
    );
}
