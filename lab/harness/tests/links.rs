//! Every relative link and image in README.md, python/README.md and docs/ names a file that git
//! tracks: a file that is ignored, or was never committed, would be a broken link on a fresh
//! clone.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    normal(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

/// The files git tracks, relative to the workspace root; `None` outside a git checkout.
fn tracked() -> Option<BTreeSet<PathBuf>> {
    let output = Command::new("git")
        .arg("ls-files")
        .current_dir(root())
        .output()
        .ok()?;
    output.status.success().then(|| {
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(PathBuf::from)
            .collect()
    })
}

/// The Markdown pages: the READMEs and every .md below docs/.
fn pages() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }
    let mut pages = vec![root().join("README.md"), root().join("python/README.md")];
    walk(&root().join("docs"), &mut pages);
    pages
}

/// The targets of `[text](target)` and `![alt](target)` in `text`, without any `#anchor`.
fn links(text: &str) -> Vec<String> {
    text.match_indices("](")
        .filter_map(|(at, _)| {
            let rest = &text[at + 2..];
            let end = rest.find([')', ' '])?;
            let target = rest[..end].split('#').next()?;
            (!target.is_empty()).then(|| target.to_string())
        })
        .collect()
}

/// `a/b/../c` as `a/c`, without touching the file system.
fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[test]
fn every_relative_link_names_a_tracked_file() {
    let Some(tracked) = tracked() else {
        eprintln!("skipped: not a git checkout, so there is no list of tracked files");
        return;
    };
    let root = root();
    let mut broken = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(&page).expect("a readable page");
        let dir = page.parent().expect("a page in a folder");
        for target in links(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let path = normal(&dir.join(&target));
            let relative = path.strip_prefix(&root).unwrap_or(&path);
            let found =
                tracked.contains(relative) || tracked.iter().any(|t| t.starts_with(relative));
            if !found {
                let page = page.strip_prefix(&root).unwrap_or(&page);
                broken.push(format!("{} -> {target}", page.display()));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "links to files git does not track:\n{}",
        broken.join("\n")
    );
}

#[test]
fn links_are_found_with_their_anchors_dropped() {
    let text = "see [a](docs/A.md#part), ![chart](results/x.svg) and [web](https://x.test/)";
    assert_eq!(
        links(text),
        ["docs/A.md", "results/x.svg", "https://x.test/"]
    );
    assert_eq!(
        normal(Path::new("/w/docs/../crates/x")),
        Path::new("/w/crates/x")
    );
}
