//! What the book (`docs/book`) includes besides the crates and the pages of `docs/`: the
//! diff between each chapter's model and the previous one's, the talks' figures for each of
//! their programs with the same programs measured in the run beside them, the machine and the
//! code of the run, and copies of the run's charts (mdBook serves only what is under its
//! `src/`). [`crate::pages`] writes and checks them with every other document; here too is the
//! check that every `{{#include}}` names a file and an anchor that exist, and that every link
//! of a chapter leads somewhere in the built book.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use figures::format::group;
use figures::page::read;
use figures::talk::{self, TalkRow};

use rundata::Results;

/// Where the generated files go.
pub const GENERATED_DIR: &str = "docs/book/src/generated";

/// Each chapter's diff: the previous chapter's model against this chapter's.
const DIFFS: &[(&str, &str, &str)] = &[
    (
        "twisted",
        "crates/fetch-sync/src/main.rs",
        "crates/fetch-reactor/src/main.rs",
    ),
    (
        "eventlet",
        "crates/fetch-reactor/src/main.rs",
        "crates/fetch-green/src/main.rs",
    ),
    (
        "threading",
        "crates/fetch-green/src/main.rs",
        "crates/fetch-threads/src/main.rs",
    ),
    (
        "gevent",
        "crates/fetch-threads/src/main.rs",
        "crates/fetch-green/src/main.rs",
    ),
    (
        "tornado",
        "crates/fetch-green/src/main.rs",
        "crates/fetch-async-std/src/main.rs",
    ),
    (
        "threaded",
        "crates/fetch-sync/src/main.rs",
        "crates/fetch-threads/src/main.rs",
    ),
    (
        "asyncio",
        "crates/fetch-threads/src/main.rs",
        "crates/fetch-tokio/src/main.rs",
    ),
    (
        "when",
        "crates/fetch-tokio/src/main.rs",
        "crates/fetch-smol/src/main.rs",
    ),
    (
        "rayon",
        "crates/fetch-threads/src/main.rs",
        "crates/fetch-rayon/src/main.rs",
    ),
    (
        "servers",
        "crates/serve-threads/src/main.rs",
        "crates/serve-green/src/main.rs",
    ),
    (
        "completion",
        "crates/serve-tokio/src/main.rs",
        "crates/serve-compio/src/main.rs",
    ),
];

/// Each chapter's program of the talks, by its name in `data/talk-results.tsv`.
const TALK: &[(&str, &str)] = &[
    ("sync", "sync.py"),
    ("twisted", "twis.py"),
    ("eventlet", "evntlt.py"),
    ("threading", "thrd.py"),
    ("gevent", "gevnt.py"),
    ("tornado", "torn2.py"),
    ("blocking", "block.py"),
    ("threaded", "threaded.py"),
    ("asyncio", "async.py"),
];

/// The run's charts that the chapters show.
const CHARTS: &[&str] = &[
    "timeline-sites.svg",
    "timeline-jobs.svg",
    "timeline-when.svg",
    "sweep-wall.svg",
    "sweep-rss.svg",
    "servers-rps.svg",
    "servers-rss.svg",
    "servers-rates-c10000.svg",
];

/// Every generated file, by name: the diffs, the talks' tables, the run's setup, the talk's
/// side programs' output and the charts (`charts`: the run's charts, by name).
pub fn generate(
    root: &Path,
    run: &Results,
    charts: &BTreeMap<String, Vec<u8>>,
) -> anyhow::Result<BTreeMap<String, Vec<u8>>> {
    let mut files = BTreeMap::new();
    for (chapter, from, to) in DIFFS {
        files.insert(
            format!("diff-{chapter}.md"),
            diff(root, from, to)?.into_bytes(),
        );
    }
    for (chapter, program) in TALK {
        let row = talk::program(program)
            .with_context(|| format!("no row for {program} in data/talk-results.tsv"))?;
        files.insert(
            format!("talk-{chapter}.md"),
            talk_table(run, &row).into_bytes(),
        );
    }
    files.insert(
        "setup.md".into(),
        tables::setup::setup(run, tables::setup::Side::Clients).into_bytes(),
    );
    for name in CHARTS {
        if let Some(chart) = charts.get(*name) {
            files.insert((*name).into(), chart.clone());
        }
    }
    for (name, text) in &run.examples {
        files.insert(format!("example-{name}.txt"), text.clone().into_bytes());
    }
    // What the talks' JavaScript printed on the jobs API: the page's console, Node's.
    for js in catalogue::JS_TALKS {
        let text = run.printed.get(js.name).cloned().unwrap_or_else(|| {
            format!(
                "({} did not run here: scripts/js.sh installs it)\n",
                js.name
            )
        });
        files.insert(format!("printed-{}.txt", js.name), text.into_bytes());
    }
    files.insert(
        "talk-generators.md".into(),
        generators_table(root, run)?.into_bytes(),
    );
    for chart in PAGES.iter().flat_map(|(page, _)| charts_of(root, page)) {
        if let Some(content) = charts.get(&chart) {
            files.insert(chart, content.clone());
        }
    }
    for (page, name) in PAGES {
        files.insert(
            (*name).into(),
            for_the_book(&read(&root.join(page))?, page).into_bytes(),
        );
    }
    Ok(files)
}

/// The pages the book holds a copy of, and the copies' names: every chapter's figures come
/// from one of them, and links to it.
pub const PAGES: &[(&str, &str)] = &[
    ("docs/RESULTS.md", "results.md"),
    ("docs/SERVERS.md", "servers.md"),
    ("docs/WAITS.md", "waits.md"),
    ("docs/GLOSSARY.md", "glossary.md"),
];

/// The charts a page shows, by name.
fn charts_of(root: &Path, page: &str) -> Vec<String> {
    let text = read(&root.join(page)).unwrap_or_default();
    links(&text)
        .into_iter()
        .filter_map(|l| l.strip_prefix("results/charts/").map(str::to_string))
        .collect()
}

/// A page of `docs/` as the book serves it beside the chapters: its charts and the other pages
/// it links are the book's copies; a link to a file that only the repository holds becomes the
/// file's path in the repository.
fn for_the_book(text: &str, page: &str) -> String {
    let dir = Path::new(page).parent().unwrap_or(Path::new(""));
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        let Some(end) = rest[at + 2..].find(')').map(|e| at + 2 + e) else {
            break;
        };
        let Some(open) = rest[..at].rfind('[') else {
            out.push_str(&rest[..end + 1]);
            rest = &rest[end + 1..];
            continue;
        };
        let (label, target) = (&rest[open + 1..at], &rest[at + 2..end]);
        let image = open > 0 && rest.as_bytes()[open - 1] == b'!';
        let (file, anchor) = match target.split_once('#') {
            Some((file, anchor)) => (file, format!("#{anchor}")),
            None => (target, String::new()),
        };
        let copy = PAGES
            .iter()
            .find(|(p, _)| Path::new(p) == dir.join(file))
            .map(|(_, name)| format!("{name}{anchor}"));
        let link = if target.contains("://") || target.starts_with('#') {
            None
        } else if let Some(chart) = file.strip_prefix("results/charts/") {
            Some(chart.to_string())
        } else if copy.is_some() {
            copy
        } else {
            // Only the repository holds it: its path, as text.
            let path = normalize(&dir.join(file));
            out.push_str(&rest[..if image { open - 1 } else { open }]);
            if label.contains(&path) || label.trim_matches('`') == path {
                out.push_str(label);
            } else {
                out.push_str(&format!("{label} (`{path}`)"));
            }
            rest = &rest[end + 1..];
            continue;
        };
        match link {
            Some(link) => {
                out.push_str(&rest[..at + 2]);
                out.push_str(&link);
                out.push(')');
            }
            None => out.push_str(&rest[..end + 1]),
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// A path with its `..` and `.` resolved, as the repository names it.
fn normalize(path: &Path) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.to_str().unwrap_or_default().split('/') {
        match part {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            part => parts.push(part),
        }
    }
    parts.join("/")
}

/// The talk's generator programs: what the talk printed (`data/talk-generators.tsv`) beside
/// what the same programs print in the run (`clients/examples/python-NAME.txt`).
fn generators_table(root: &Path, run: &Results) -> anyhow::Result<String> {
    let path = root.join("data/talk-generators.tsv");
    let tsv = read(&path)?;
    let rows = tsv.lines().filter(|l| !l.starts_with('#')).skip(1);
    let mut out = String::from(
        "| program | mem, the talk | mem, this run | CPU, the talk | CPU, this run |\n\
         |---|---:|---:|---:|---:|\n",
    );
    let grouped = |bytes: f64| group(bytes as u64);
    for line in rows {
        let fields: Vec<&str> = line.split('\t').collect();
        let [program, mem, _, _, cpu, _] = fields[..] else {
            bail!("{}: a row of six fields, not {line:?}", path.display());
        };
        let stem = program.trim_end_matches(".py");
        let printed = run.examples.get(&format!("python-{stem}"));
        let field = |name: &str| -> Option<f64> {
            let text = printed?;
            let line = text.lines().find_map(|l| l.strip_prefix(name))?;
            line.trim().replace(',', "").parse().ok()
        };
        let here_mem = field("mem:").map_or("not measured".into(), |b| format!("{} B", grouped(b)));
        let here_cpu =
            field("cpu:").map_or("not measured".into(), |s| format!("{:.3} ms", s * 1e3));
        let talk_mem: f64 = mem.parse()?;
        let talk_cpu: f64 = cpu.parse()?;
        writeln!(
            out,
            "| `{program}` | {} B | {here_mem} | {:.3} ms | {here_cpu} |",
            grouped(talk_mem),
            talk_cpu * 1e3
        )?;
    }
    Ok(out)
}

/// A new, empty folder of this process's own under the system's temporary folder.
pub fn scratch(what: &str) -> anyhow::Result<PathBuf> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "docgen-{what}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// `to` against `from` as a unified diff in a Markdown block, of the code that changed: the
/// files' `//!` headers are left out (each chapter tells its model in prose, and the headers
/// would make most of the diff), and so are the anchors' comment lines (they are the book's, not
/// the program's).
fn diff(root: &Path, from: &str, to: &str) -> anyhow::Result<String> {
    let dir = scratch("book-diff")?;
    let strip = |path: &str, name: &str| -> anyhow::Result<PathBuf> {
        let text = read(&root.join(path))?;
        let kept: Vec<&str> = text
            .lines()
            .filter(|l| !l.contains("ANCHOR") && !l.trim_start().starts_with("//!"))
            .skip_while(|l| l.trim().is_empty())
            .collect();
        let out = dir.join(name);
        std::fs::write(&out, kept.join("\n") + "\n")?;
        Ok(out)
    };
    let (a, b) = (strip(from, "a")?, strip(to, "b")?);
    let output = Command::new("diff")
        .args(["-u", "--label", from, "--label", to])
        .args([&a, &b])
        .output()
        .context("run diff")?;
    std::fs::remove_dir_all(&dir)?;
    // diff exits 1 when the files differ, 2 on trouble.
    if output.status.code() == Some(2) {
        bail!(
            "diff {from} {to}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(format!(
        "```diff\n{}```\n",
        String::from_utf8_lossy(&output.stdout)
    ))
}

/// The talk's figures for one of its programs, as a table, with the talk's note under it.
fn talk_table(run: &Results, row: &TalkRow) -> String {
    let mut t = talk::table(std::slice::from_ref(row));
    if !row.note.is_empty() {
        let _ = writeln!(t, "\n*{}*", row.note);
    }
    let beside = tables::python::beside_the_talk(run, &row.program);
    t.push_str(
        "\nThe talk's own figures, measured on the speaker's machine against the real sites \
         (`data/talk-results.tsv`).\n",
    );
    if let Some(beside) = beside {
        t.push('\n');
        t.push_str(&beside);
    }
    t
}

/// What is wrong with the chapters' includes and links.
pub fn check_chapters(src: &Path) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(src)? {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = read(&path)?;
        let name = path.display();
        for include in includes(&text) {
            if let Err(why) = check_include(src, &include) {
                problems.push(format!("{name}: {{{{#include {include}}}}}: {why}"));
            }
        }
        for link in links(&text) {
            if let Err(why) = check_link(src, &link) {
                problems.push(format!("{name}: link to {link}: {why}"));
            }
        }
        // A chapter that shows a page's figures links the page, as the book holds it.
        for (page, copy) in PAGES {
            let file = Path::new(page)
                .file_name()
                .and_then(|f| f.to_str())
                .unwrap_or(page);
            let shows = includes(&text)
                .iter()
                .any(|i| i.starts_with(&format!("../../{file}")));
            let target = format!(
                "{}/{copy}",
                GENERATED_DIR.trim_start_matches("docs/book/src/")
            );
            if shows
                && !links(&text)
                    .iter()
                    .any(|l| l.split('#').next() == Some(target.as_str()))
            {
                problems.push(format!(
                    "{name}: shows figures of {page}, but never links {target}"
                ));
            }
        }
    }
    Ok(problems)
}

/// The targets of a page's `{{#include ...}}` lines.
fn includes(text: &str) -> Vec<String> {
    text.match_indices("{{#include ")
        .filter_map(|(at, open)| {
            let rest = &text[at + open.len()..];
            Some(rest[..rest.find("}}")?].trim().to_string())
        })
        .collect()
}

/// An include's file must exist and, when it names an anchor, hold that anchor.
fn check_include(src: &Path, include: &str) -> Result<(), String> {
    let (file, anchor) = match include.split_once(':') {
        Some((file, anchor)) => (file, Some(anchor)),
        None => (include, None),
    };
    let path = src.join(file);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read it: {e}"))?;
    let Some(anchor) = anchor.filter(|a| !a.starts_with(|c: char| c.is_ascii_digit())) else {
        return Ok(());
    };
    let named = |marker: &str| {
        text.lines().any(|line| {
            line.split(marker)
                .nth(1)
                .and_then(|rest| rest.split_whitespace().next())
                == Some(anchor)
        })
    };
    if named("ANCHOR:") && named("ANCHOR_END:") {
        Ok(())
    } else {
        Err(format!("no anchor {anchor:?} in {}", path.display()))
    }
}

/// The targets of a page's Markdown links and images, outside code blocks.
fn links(text: &str) -> Vec<String> {
    let mut in_code = false;
    let mut targets = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        for (at, open) in line.match_indices("](") {
            let rest = &line[at + open.len()..];
            if let Some(end) = rest.find(')') {
                targets.push(rest[..end].to_string());
            }
        }
    }
    targets
}

/// A link must lead to a file under the book's `src/` (which is all mdBook serves), or be a
/// web address or an anchor on the same page.
fn check_link(src: &Path, link: &str) -> Result<(), String> {
    if link.contains("://") || link.starts_with('#') || link.starts_with("mailto:") {
        return Ok(());
    }
    let file = link.split('#').next().unwrap_or(link);
    if file.split('/').any(|part| part == "..") {
        return Err("it leaves the book's src/, which the built book does not hold".into());
    }
    if src.join(file).exists() {
        Ok(())
    } else {
        Err("no such file".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn includes_and_links_are_found_outside_code() {
        let text = "{{#include a.md}}\n{{#include ../x.rs:work}}\n[a](b.md) ![c](d.svg)\n\
                    ```rust\n[not](a-link)\n```\n";
        assert_eq!(includes(text), ["a.md", "../x.rs:work"]);
        assert_eq!(links(text), ["b.md", "d.svg"]);
    }

    #[test]
    fn a_missing_anchor_or_a_link_out_of_the_book_is_a_problem() {
        let src = std::env::temp_dir().join(format!("book-doc-test-{}", std::process::id()));
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(
            src.join("x.rs"),
            "// ANCHOR: work\nfn x() {}\n// ANCHOR_END: work\n",
        )
        .unwrap();
        assert!(check_include(&src, "x.rs:work").is_ok());
        assert!(check_include(&src, "x.rs:wor").is_err());
        assert!(check_include(&src, "x.rs:2:3").is_ok());
        assert!(check_include(&src, "y.rs").is_err());
        assert!(check_link(&src, "x.rs").is_ok());
        assert!(check_link(&src, "https://example.com/").is_ok());
        assert!(check_link(&src, "../x.rs").is_err());
        assert!(check_link(&src, "z.md").is_err());
        std::fs::remove_dir_all(&src).unwrap();
    }

    #[test]
    fn a_page_in_the_book_links_its_copies_and_names_the_rest_by_path() {
        let page = "See ![c](results/charts/a.svg), [the servers](SERVERS.md#x), \
                    [`crates/h1/src/lib.rs`](../crates/h1/src/lib.rs), [its runs](results/servers/runs.csv) \
                    and [a site](https://example.com/).";
        assert_eq!(
            for_the_book(page, "docs/RESULTS.md"),
            "See ![c](a.svg), [the servers](servers.md#x), `crates/h1/src/lib.rs`, \
             its runs (`docs/results/servers/runs.csv`) and [a site](https://example.com/)."
        );
    }

    #[test]
    fn a_chapter_that_shows_a_pages_figures_links_the_page() {
        let src = std::env::temp_dir().join(format!("book-links-test-{}", std::process::id()));
        std::fs::create_dir_all(src.join("generated")).unwrap();
        std::fs::write(src.join("generated/results.md"), "# Results\n").unwrap();
        std::fs::write(src.join("a.md"), "{{#include ../../RESULTS.md:sites}}\n").unwrap();
        std::fs::write(
            src.join("b.md"),
            "{{#include ../../RESULTS.md:sites}}\n[the page](generated/results.md)\n",
        )
        .unwrap();
        let problems = check_chapters(&src).unwrap();
        let unlinked = |name: &str| {
            problems
                .iter()
                .any(|p| p.contains(name) && p.contains("never links generated/results.md"))
        };
        assert!(unlinked("a.md"), "{problems:?}");
        assert!(!unlinked("b.md"), "{problems:?}");
        std::fs::remove_dir_all(&src).unwrap();
    }

    #[test]
    fn the_talks_figures_make_a_table() {
        let row = talk::program("sync.py").expect("the synchronous program");
        let table = talk::table(std::slice::from_ref(&row));
        assert!(
            table.contains(
                "| `sync.py` | synchronous (requests) | 4.846 s | 4.649 s | 0.14 s + 0.08 s | – |"
            ),
            "{table}"
        );
        assert!(talk::program("none.py").is_none());
    }
}
