//! The last lines of every model's and server's header, written from the catalogue: its Python
//! and JavaScript twins (where they exist), its chapters of the book and the runtime it stands on, so that a
//! reader of `crates/fetch-reactor/src/main.rs` finds `python/talks/twis.py`, the Twisted
//! chapter and the reactor's loop, as every Python file names its Rust model.
//!
//! `pages --write` writes them; `pages --check` fails on a header that differs, or on a file
//! it names that is not there.

use std::path::{Path, PathBuf};

use catalogue::{Engine, JavaScript, MODELS, Python, Runtime, SERVERS};

/// The line that opens the written part of a header.
const OPENS: &str = "//! Read it beside:";

/// A program's header as the catalogue writes it.
struct Entry {
    name: &'static str,
    python: Vec<&'static Python>,
    javascript: Vec<&'static JavaScript>,
    chapters: &'static [&'static str],
    runtime: Runtime,
}

fn entries() -> Vec<Entry> {
    let models = MODELS.iter().map(|m| Entry {
        name: m.name,
        python: m.python().collect(),
        javascript: m.javascript().collect(),
        chapters: m.chapters,
        runtime: m.runtime,
    });
    let servers = SERVERS.iter().map(|s| Entry {
        name: s.name,
        python: s.python().collect(),
        javascript: Vec::new(),
        chapters: s.chapters,
        runtime: s.runtime,
    });
    models.chain(servers).collect()
}

/// The written lines of `entry`'s header, and the workspace's files they name.
fn trailer(entry: &Entry) -> (String, Vec<String>) {
    let mut lines = vec!["//!".to_string(), OPENS.to_string()];
    let mut named = Vec::new();
    for python in &entry.python {
        let what = if entry.name.starts_with("serve-") {
            "the same server in Python"
        } else {
            "the talk's program in Python"
        };
        lines.push(format!("//! - `{}`, {what}", python.path()));
        named.push(python.path());
    }
    for js in &entry.javascript {
        let what = match js.engine {
            Engine::Chromium => "the talk's page, in a browser",
            Engine::Node => "the same join in Node",
        };
        lines.push(format!("//! - `{}`, {what}", js.path()));
        named.push(js.path());
    }
    for chapter in entry.chapters {
        let path = format!("docs/book/src/{chapter}");
        lines.push(format!("//! - `{path}`, its chapter of the book"));
        named.push(path);
    }
    lines.push(match entry.runtime {
        Runtime::Own(path) => {
            named.push(path.to_string());
            format!("//! - `{path}`, the runtime under it, the workspace's own")
        }
        Runtime::Crate(name) => {
            format!("//! - `{name}` (<https://docs.rs/{name}>), the runtime under it")
        }
        Runtime::Std(module) => {
            format!("//! - `{module}`, the operating system's own blocking calls under it")
        }
    });
    (lines.join("\n") + "\n", named)
}

/// `text` with its header's written part made again.
fn rewritten(text: &str, trailer: &str) -> anyhow::Result<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let header = lines.iter().take_while(|l| l.starts_with("//!")).count();
    anyhow::ensure!(header > 0, "has no `//!` header");
    let kept = lines[..header]
        .iter()
        .position(|l| l.trim_end() == OPENS)
        .map_or(header, |at| {
            if at > 0 && lines[at - 1].trim_end() == "//!" {
                at - 1
            } else {
                at
            }
        });
    Ok(lines[..kept].concat() + trailer + &lines[header..].concat())
}

/// A source file and its text as the catalogue writes its header.
pub type Source = (PathBuf, String);

/// Every model's and server's `main.rs` with its header as the catalogue writes it, and the
/// problems: a file named that is not there, a header that cannot be read.
pub fn made(root: &Path) -> anyhow::Result<(Vec<Source>, Vec<String>)> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for entry in entries() {
        let path = root.join("crates").join(entry.name).join("src/main.rs");
        let text = std::fs::read_to_string(&path)?;
        let (trailer, named) = trailer(&entry);
        for file in named.iter().filter(|f| !root.join(f).is_file()) {
            problems.push(format!("{}: names {file}, which is not there", entry.name));
        }
        match rewritten(&text, &trailer) {
            Ok(text) => files.push((path, text)),
            Err(e) => problems.push(format!("{}: {e}", entry.name)),
        }
    }
    Ok((files, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRAILER: &str = "//!\n//! Read it beside:\n//! - `x`, its chapter of the book\n";

    #[test]
    fn the_written_part_is_replaced_and_the_rest_kept() {
        let bare = "//! A model.\n//!\n//! Run with: it.\n\nfn main() {}\n";
        let once = rewritten(bare, TRAILER).unwrap();
        assert_eq!(
            once,
            format!("//! A model.\n//!\n//! Run with: it.\n{TRAILER}\nfn main() {{}}\n")
        );
        assert_eq!(rewritten(&once, TRAILER).unwrap(), once);
        let other = rewritten(&once, "//!\n//! Read it beside:\n//! - `y`\n").unwrap();
        assert!(other.contains("`y`") && !other.contains("`x`"), "{other}");
        assert!(rewritten("fn main() {}\n", TRAILER).is_err());
    }

    #[test]
    fn a_model_names_its_twin_its_chapter_and_its_runtime() {
        let reactor = entries()
            .into_iter()
            .find(|e| e.name == "fetch-reactor")
            .unwrap();
        let (text, named) = trailer(&reactor);
        assert!(
            text.contains("`python/talks/twis.py`, the talk's program"),
            "{text}"
        );
        assert!(text.contains("`docs/book/src/twisted.md`"), "{text}");
        assert!(text.contains("`crates/reactor/src/reactor.rs`"), "{text}");
        assert_eq!(named.len(), 3);
    }
}
