//! Records the git commit the binary is built from (`IMMUNOSIM_COMMIT`, written to
//! `run.toml`), so that an output folder can be traced to its code: the commit's hash,
//! with `-dirty` if tracked files had uncommitted changes, or `unknown` when the source
//! is not a git checkout (a source tarball, `cargo install` from a registry) or git is
//! missing.

use std::path::Path;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    Some(String::from_utf8(output.stdout).ok()?.trim().to_string())
}

fn main() {
    let commit = git(&["rev-parse", "HEAD"]).filter(|c| !c.is_empty());
    let described = match &commit {
        Some(hash) => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| !s.is_empty());
            if dirty {
                format!("{hash}-dirty")
            } else {
                hash.clone()
            }
        }
        None => "unknown".to_string(),
    };
    println!("cargo:rustc-env=IMMUNOSIM_COMMIT={described}");
    // Rebuild the stamp when HEAD moves (a commit, a checkout) or the sources change
    // (dirty or not). Only paths that exist are named: cargo reruns a script whose
    // named path is missing on every build.
    let mut watched: Vec<String> = ["src", "crates", "Cargo.toml", "Cargo.lock", "build.rs"]
        .iter()
        .map(|p| p.to_string())
        .collect();
    if commit.is_some() {
        watched.extend(git(&["rev-parse", "--git-path", "HEAD"]));
        watched.extend(git(&["rev-parse", "--git-path", "index"]));
        watched.extend(git(&["rev-parse", "--git-path", "packed-refs"]));
        if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
            watched.extend(git(&["rev-parse", "--git-path", &branch]));
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for path in watched {
        let full = root.join(&path);
        if full.exists() {
            println!("cargo:rerun-if-changed={}", full.display());
        }
    }
}
