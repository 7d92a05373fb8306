//! The documents made whole from one run: which sections each page holds, the charts, and the
//! book's generated files; writing them all, or checking every one of them against the run.
//!
//! A page is hand-written prose around generated sections, each between `<!-- KIND:NAME -->`
//! and `<!-- /KIND:NAME -->`: the machine and the code of the run at the top, every table, and
//! every sentence that reads figures (the `findings` crate). `--check` makes every section,
//! chart and generated file again from the committed run and fails on any difference, naming
//! each; it fails too, naming it, on a claim the run does not support.
//!
//! ```sh
//! scripts/run_all.sh --out docs/results     # the run; it ends by writing the pages
//! cargo run -p docgen -- pages --write      # the pages again from the committed run
//! cargo run -p docgen -- pages --check      # in CI
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use figures::page::{fill, read};

use crate::{book, charts, experiments, headers};
use findings::{Claim, Section};
use rundata::{RUN, Results};
use tables::setup::{Side, machine_line, setup};
use tables::{ceiling, clients, javascript, python, servers};

/// Writes (or checks) every document made from the committed run.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The run: a folder written by `scripts/run_all.sh --out DIR`.
    #[arg(long, default_value = RUN)]
    from: PathBuf,
    /// Write every page, chart and generated file of the book.
    #[arg(long)]
    write: bool,
    /// Check every one of them against the run; exit 1 naming each that differs.
    #[arg(long, conflicts_with = "write")]
    check: bool,
}

/// A page made from the run, and the kind of its markers.
struct Page {
    path: &'static str,
    kind: &'static str,
    /// The sections, from the run (or, for an experiment, from its own folder under the root).
    sections: fn(&Results, &Path) -> Vec<Section>,
}

const PAGES: [Page; 7] = [
    Page {
        path: "docs/RESULTS.md",
        kind: "results",
        sections: results_sections,
    },
    Page {
        path: "docs/SERVERS.md",
        kind: "servers",
        sections: servers_sections,
    },
    Page {
        path: "docs/WAITS.md",
        kind: "waits",
        sections: waits_sections,
    },
    Page {
        path: "README.md",
        kind: "readme",
        sections: readme_sections,
    },
    Page {
        path: "docs/MODELS.md",
        kind: "models",
        sections: models_sections,
    },
    Page {
        path: "docs/experiments/smol-glue/README.md",
        kind: "glue",
        sections: |_, root| experiments::smol_glue(root),
    },
    Page {
        path: "docs/experiments/compio-perf/README.md",
        kind: "perf",
        sections: |_, root| experiments::compio_perf(root),
    },
];

/// docs/RESULTS.md: the clients.
pub fn results_sections(run: &Results, _: &Path) -> Vec<Section> {
    vec![
        Section::table("setup", setup(run, Side::Clients)),
        Section::table("sites", clients::sites(run)),
        Section::claim("sites-findings", findings::sites(run)),
        Section::table("jobs", clients::jobs(run)),
        Section::claim("jobs-findings", findings::jobs(run)),
        Section::table("many-jobs", clients::many_jobs(run)),
        Section::claim("many-jobs-findings", findings::many_jobs(run)),
        Section::table("sweep", clients::sweep(run, "sweep")),
        Section::claim("sweep-findings", findings::sweep(run)),
        Section::table("burst", clients::burst(run)),
        Section::claim("burst-findings", findings::burst(run)),
        Section::table("per-request", clients::per_request(run, "sweep")),
        Section::claim("per-request-findings", findings::memory_per_request(run)),
        Section::table("heap", clients::heap(run)),
        Section::claim("heap-findings", findings::heap(run)),
        Section::table("pages", clients::sweep(run, "pages")),
        Section::table("pages-per-request", clients::per_request(run, "pages")),
        Section::claim("pages-findings", findings::pages(run)),
        Section::table("read-buffer", clients::read_buffer(run)),
        Section::claim("read-buffer-findings", findings::read_buffer(run)),
        Section::table("ceiling", ceiling::clients(run)),
        Section::claim("ceiling-findings", findings::at_ceiling(run)),
        Section::table("at-scale", ceiling::clients_at_scale(run)),
        Section::table("python-talks", python::talks(run)),
        Section::table("python-sweep", python::sweep(run, "sweep")),
        Section::table("python-pages", python::sweep(run, "pages")),
        Section::claim("python-findings", findings::python(run)),
        Section::table("js-talks", javascript::talks(run)),
        Section::claim("js-findings", findings::javascript(run)),
        Section::table("targets", clients::targets(run)),
        Section::claim("targets-findings", findings::targets(run)),
        Section::claim("reading", findings::reading(run)),
    ]
}

/// docs/SERVERS.md: the servers.
pub fn servers_sections(run: &Results, _: &Path) -> Vec<Section> {
    vec![
        Section::claim("answer", findings_servers::servers_answer(run)),
        Section::table("setup", setup(run, Side::Servers)),
        Section::table("table", servers::table(run)),
        Section::table("threads", servers::threads(run)),
        Section::claim("threads-findings", findings_servers::servers_threads(run)),
        Section::table("pinned", servers::pinned(run)),
        Section::claim("pinned-findings", findings_servers::servers_pinned(run)),
        Section::table("rates", servers::rates(run)),
        Section::claim("rates-findings", findings_servers::servers_rates(run)),
        Section::table("targets", servers::targets(run)),
        Section::claim("targets-findings", findings_servers::servers_targets(run)),
        Section::table("hostile", servers::hostile(run)),
        Section::claim("hostile-findings", findings_servers::hostile(run)),
        Section::table("ceiling", ceiling::servers(run)),
        Section::claim("ceiling-findings", findings_servers::servers_ceiling(run)),
        Section::table("at-scale", ceiling::servers_at_scale(run)),
        Section::table("syscalls", servers::syscalls(run)),
        Section::claim("syscalls-findings", findings_servers::syscalls(run)),
        Section::table("python-servers", python::servers_table(run)),
        Section::claim(
            "python-servers-findings",
            findings_servers::python_servers(run),
        ),
        Section::claim("yielding", findings_servers::yielding(run)),
    ]
}

/// docs/WAITS.md: the waiting programs, beside the published tables (`data/`).
fn waits_sections(run: &Results, root: &Path) -> Vec<Section> {
    let tsv = read(&root.join("data/waits-published.tsv"));
    let published = |f: fn(&Results, &str) -> Claim| match &tsv {
        Ok(tsv) => f(run, tsv),
        Err(e) => Err(findings::Unsupported::Missing(format!("{e:#}"))),
    };
    vec![
        Section::table("setup", setup(run, Side::Waits)),
        Section::claim("reach", findings::waits_reach(run)),
        Section::table("table", tables::waits::table(run)),
        Section::claim("cost", findings::waits_cost(run)),
        Section::claim("green", findings::waits_green(run)),
        Section::table("times", tables::waits::times(run)),
        Section::laid_out(
            "published",
            published(|run, tsv| Ok(tables::waits::published(run, tsv))),
        ),
        Section::claim("published-findings", published(findings::waits_published)),
    ]
}

/// README.md: what the first two models print, and how long the whole run takes.
fn readme_sections(run: &Results, _: &Path) -> Vec<Section> {
    let printed = |model: &str| -> Claim {
        let text =
            findings::claim::need(run.printed.get(model), format!("{model}'s printed text"))?;
        Ok(format!("```text\n{}```\n", text))
    };
    vec![
        Section::claim("verdict", verdict::verdict(run)),
        Section::table("machine", machine_line(run)),
        Section::laid_out("fetch-sync", printed("fetch-sync")),
        Section::laid_out("fetch-threads", printed("fetch-threads")),
        Section::claim("took", findings::took(run)),
    ]
}

/// docs/MODELS.md: what a request in flight costs, model by model.
fn models_sections(run: &Results, _: &Path) -> Vec<Section> {
    vec![Section::claim("costs", findings::costs(run))]
}

/// A section that differs from what the run makes, or a claim it does not support.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub file: String,
    pub section: String,
    pub what: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}, {}: {}", self.file, self.section, self.what)
    }
}

/// A page and the texts of its sections.
type Made = (&'static Page, Vec<(&'static str, String)>);

/// Every page's sections from the run: the pages' texts, or the claims the run does not support.
fn made(run: &Results, root: &Path) -> (Vec<Made>, Vec<Problem>) {
    let mut pages = Vec::new();
    let mut problems = Vec::new();
    for page in &PAGES {
        let mut sections = Vec::new();
        for Section { name, text, .. } in (page.sections)(run, root) {
            match text {
                Ok(text) => sections.push((name, text)),
                Err(why) => problems.push(Problem {
                    file: page.path.into(),
                    section: format!("the claim `{}:{name}`", page.kind),
                    what: why.to_string(),
                }),
            }
        }
        pages.push((page, sections));
    }
    (pages, problems)
}

/// The problems of the documents under `root` against the run in `from`: every section,
/// chart and generated file that differs, and every claim the run does not support.
pub fn check(root: &Path, from: &Path) -> anyhow::Result<Vec<Problem>> {
    let run = Results::read(from)?;
    let (pages, mut problems) = made(&run, root);
    for (page, sections) in &pages {
        let path = root.join(page.path);
        let text = read(&path)?;
        let open = format!("<!-- {}:", page.kind);
        for marked in text.lines().filter_map(|l| l.trim().strip_prefix(&open)) {
            let marked = marked.trim_end_matches(" -->");
            let failed = format!("the claim `{}:{marked}`", page.kind);
            if !sections.iter().any(|(name, _)| *name == marked)
                && !problems.iter().any(|p| p.section == failed)
            {
                problems.push(Problem {
                    file: page.path.into(),
                    section: format!("`{}:{marked}`", page.kind),
                    what: "is marked as generated, but nothing makes it".into(),
                });
            }
        }
        for (name, section) in sections {
            let alone = [(*name, section.clone())];
            match fill(&text, page.kind, &alone) {
                Ok(filled) if filled == text => {}
                Ok(_) => problems.push(Problem {
                    file: page.path.into(),
                    section: format!("`{}:{name}`", page.kind),
                    what: "differs from what the run makes".into(),
                }),
                Err(e) => problems.push(Problem {
                    file: page.path.into(),
                    section: format!("`{}:{name}`", page.kind),
                    what: e.to_string(),
                }),
            }
        }
    }
    let (sources, named) = headers::made(root)?;
    problems.extend(named.into_iter().map(|what| Problem {
        file: "the catalogue".into(),
        section: "a header's links".into(),
        what,
    }));
    let scratch = book::scratch("charts")?;
    let drawn = charts::draw(&run, &scratch);
    let mut files: BTreeMap<PathBuf, Vec<u8>> = BTreeMap::new();
    for name in drawn? {
        files.insert(
            root.join(RUN).join("charts").join(&name),
            std::fs::read(scratch.join(&name))?,
        );
    }
    std::fs::remove_dir_all(&scratch)?;
    for (name, content) in book::generate(root, &run, &files_by_name(&files))? {
        files.insert(root.join(book::GENERATED_DIR).join(name), content);
    }
    for (path, text) in sources {
        if std::fs::read_to_string(&path)? != text {
            problems.push(Problem {
                file: shown(root, &path),
                section: "its header".into(),
                what: "differs from what the catalogue writes (its twin, chapters, runtime)".into(),
            });
        }
    }
    for (path, content) in &files {
        match std::fs::read(path) {
            Ok(committed) if committed == *content => {}
            Ok(_) => problems.push(Problem {
                file: shown(root, path),
                section: "the file".into(),
                what: "differs from what the run makes".into(),
            }),
            Err(_) => problems.push(Problem {
                file: shown(root, path),
                section: "the file".into(),
                what: "is missing".into(),
            }),
        }
    }
    problems.extend(
        book::check_chapters(&root.join("docs/book/src"))?
            .into_iter()
            .map(|p| Problem {
                file: "docs/book".into(),
                section: "an include or a link".into(),
                what: p,
            }),
    );
    Ok(problems)
}

fn files_by_name(files: &BTreeMap<PathBuf, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    files
        .iter()
        .filter_map(|(path, content)| {
            Some((path.file_name()?.to_str()?.to_string(), content.clone()))
        })
        .collect()
}

fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Writes every page, chart and book file from the run; writes nothing when a claim does not
/// hold.
fn write(from: &Path) -> anyhow::Result<Vec<Problem>> {
    let run = Results::read(from)?;
    let (pages, problems) = made(&run, Path::new("."));
    if !problems.is_empty() {
        return Ok(problems);
    }
    for (page, sections) in &pages {
        let path = Path::new(page.path);
        let text = read(path)?;
        let filled = fill(&text, page.kind, sections)
            .with_context(|| format!("the markers of {}", page.path))?;
        std::fs::write(path, filled)?;
        println!("wrote {}", page.path);
    }
    let (sources, named) = headers::made(Path::new("."))?;
    if !named.is_empty() {
        return Ok(named
            .into_iter()
            .map(|what| Problem {
                file: "the catalogue".into(),
                section: "a header's links".into(),
                what,
            })
            .collect());
    }
    for (path, text) in &sources {
        if std::fs::read_to_string(path)? != *text {
            std::fs::write(path, text)?;
            println!("wrote the header of {}", path.display());
        }
    }
    let charts_dir = from.join("charts");
    std::fs::create_dir_all(&charts_dir)?;
    let drawn = charts::draw(&run, &charts_dir)?;
    let mut files = BTreeMap::new();
    for name in &drawn {
        files.insert(name.clone(), std::fs::read(charts_dir.join(name))?);
    }
    println!("drew {} charts in {}", drawn.len(), charts_dir.display());
    let generated = Path::new(book::GENERATED_DIR);
    std::fs::create_dir_all(generated)?;
    let book_files = book::generate(Path::new("."), &run, &files)?;
    for entry in std::fs::read_dir(generated)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if !book_files.contains_key(name) {
            std::fs::remove_file(&path)?;
        }
    }
    for (name, content) in &book_files {
        std::fs::write(generated.join(name), content)?;
    }
    println!(
        "wrote {} files in {}",
        book_files.len(),
        generated.display()
    );
    Ok(book::check_chapters(Path::new("docs/book/src"))?
        .into_iter()
        .map(|p| Problem {
            file: "docs/book".into(),
            section: "an include or a link".into(),
            what: p,
        })
        .collect())
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let problems = if args.check {
        check(Path::new("."), &args.from)?
    } else if args.write {
        write(&args.from)?
    } else {
        anyhow::bail!("say --write or --check");
    };
    if problems.is_empty() {
        println!("every document matches the run in {}", args.from.display());
        return Ok(ExitCode::SUCCESS);
    }
    for problem in &problems {
        eprintln!("{problem}");
    }
    eprintln!(
        "{} problem(s). Make the documents again from the run with: cargo run -p docgen -- pages \
         --write (a claim the run does not support is code in lab/findings)",
        problems.len()
    );
    Ok(ExitCode::FAILURE)
}

/// The claims that a quick run judges as a whole run does: they compare counts, not times (every
/// server alive beside its hostile clients, its system calls per request, the run's own length).
const JUDGED_AT_ANY_SCALE: [&str; 3] = ["hostile-findings", "syscalls-findings", "took"];

/// Every section of every page made from a run, with the page's kind, for a run's own report
/// (the experiments, made from folders of their own, left out). A quick run's scale cannot
/// judge the claims of times and of figures at scale: one it contradicts is not judged.
pub fn all_sections(run: &Results, root: &Path) -> Vec<(&'static str, Section)> {
    let small = run.settings.quick;
    PAGES
        .iter()
        .filter(|p| !matches!(p.kind, "glue" | "perf"))
        .flat_map(|p| {
            (p.sections)(run, root).into_iter().map(move |section| {
                let judged = !small || JUDGED_AT_ANY_SCALE.contains(&section.name);
                (
                    p.kind,
                    if judged {
                        section
                    } else {
                        section.at_small_scale()
                    },
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
