//! The committed pages against the committed run, and what a changed figure does to them.

use std::path::{Path, PathBuf};

use crate::pages;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A copy of the committed run in a folder of its own (the runs' own JSON left out).
fn copy_of_the_run(name: &str) -> PathBuf {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap().flatten() {
            let path = entry.path();
            let target = to.join(entry.file_name());
            if path.is_dir() {
                if entry.file_name() != "raw" {
                    copy(&path, &target);
                }
            } else {
                std::fs::copy(&path, &target).unwrap();
            }
        }
    }
    let to = std::env::temp_dir().join(format!("docgen-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&to);
    copy(&root().join(rundata::RUN), &to);
    to
}

/// Multiplies one figure of `summary.csv`: the column `column` of the cell of `model` on
/// `workload`.
fn scale_figure(run: &Path, workload: &str, model: &str, column: &str, factor: f64) {
    let path = run.join("clients/summary.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let header = figures::page::fields(lines.next().unwrap());
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (w, m, c) = (at("workload"), at("model"), at(column));
    let mut out = vec![header.join(",")];
    let mut changed = 0;
    for line in lines {
        let mut fields = figures::page::fields(line);
        if fields[w] == workload && fields[m] == model && fields[at("variant")].is_empty() {
            let value: f64 = fields[c].parse().unwrap();
            fields[c] = format!("{}", (value * factor).round());
            changed += 1;
        }
        let quoted: Vec<String> = fields
            .into_iter()
            .map(|f| {
                if f.contains([',', '"']) {
                    format!("\"{}\"", f.replace('"', "\"\""))
                } else {
                    f
                }
            })
            .collect();
        out.push(quoted.join(","));
    }
    assert_eq!(changed, 1, "{model} on {workload}");
    std::fs::write(&path, out.join("\n") + "\n").unwrap();
}

#[test]
fn every_committed_document_matches_the_committed_run() {
    let problems = pages::check(&root(), &root().join(rundata::RUN)).unwrap();
    assert!(
        problems.is_empty(),
        "{}",
        problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn a_doubled_figure_fails_the_check_on_a_table_and_on_a_sentence() {
    let run = copy_of_the_run("doubled");
    scale_figure(
        &run,
        "sweep-10000",
        "fetch-reactor",
        "peak_rss_per_in_flight_bytes",
        2.0,
    );
    let problems = pages::check(&root(), &run).unwrap();
    std::fs::remove_dir_all(&run).unwrap();
    let said: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        said.iter()
            .any(|p| p.starts_with("docs/RESULTS.md, `results:per-request`:")),
        "no table failed: {said:#?}"
    );
    assert!(
        said.iter()
            .any(|p| p.contains("results:per-request-findings")),
        "no sentence failed: {said:#?}"
    );
}

#[test]
fn a_claim_the_run_no_longer_supports_fails_naming_itself() {
    let run = copy_of_the_run("flipped");
    // The reactor's memory per request at N = 10,000 ten times over: no longer flat, nor the floor.
    scale_figure(
        &run,
        "sweep-10000",
        "fetch-reactor",
        "peak_rss_per_in_flight_bytes",
        10.0,
    );
    let problems = pages::check(&root(), &run).unwrap();
    std::fs::remove_dir_all(&run).unwrap();
    let said: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        said.iter()
            .any(|p| p.contains("the claim `results:per-request-findings`")
                && p.contains("the run says otherwise")),
        "{said:#?}"
    );
}
