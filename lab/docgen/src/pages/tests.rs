//! The committed pages against the committed run, and what a changed figure does to them.

use std::path::{Path, PathBuf};

use crate::pages;
use rundata::Results;

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

/// Multiplies one figure of `summary.csv`, the cell of `model` on `workload`, read and
/// written through its row type.
fn scale_figure(run: &Path, workload: &str, model: &str, factor: f64) {
    let mut cells = runfiles::read(run, runfiles::CLIENT_CELLS).unwrap();
    let mut changed = 0;
    for cell in cells
        .iter_mut()
        .filter(|c| c.workload == workload && c.model == model && c.variant.is_empty())
    {
        cell.per_in_flight = cell.per_in_flight.map(|v| (v * factor).round());
        changed += 1;
    }
    assert_eq!(changed, 1, "{model} on {workload}");
    runfiles::write(run, runfiles::CLIENT_CELLS, &cells).unwrap();
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
    scale_figure(&run, "sweep-10000", "fetch-reactor", 2.0);
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
    scale_figure(&run, "sweep-10000", "fetch-reactor", 10.0);
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

/// The committed run as a machine of `cores` cores would have made it: the setups the servers
/// part names and counts for those cores (a loop per core as `--threads N`, none on one core),
/// no pinned mode on one core, rayon's pool one thread per core, and the figures that the
/// cores bound scaled with them.
fn as_if(cores: u32) -> Results {
    let mut run = Results::read(&root().join(rundata::RUN)).unwrap();
    let scale = f64::from(cores) / f64::from(run.machine.cores);
    run.machine.cores = cores;
    for p in [
        &mut run.parts.talks,
        &mut run.parts.sweeps,
        &mut run.parts.ceiling,
        &mut run.parts.read_buffer,
    ]
    .into_iter()
    .flatten()
    {
        p.rayon_pool = u64::from(cores);
    }
    if let Some(servers) = &mut run.parts.servers {
        servers.load_threads = cores;
        if cores < 2 {
            servers.pinned = runfiles::Maybe::NotRun("not run: one core only".into());
        }
    }
    if cores < 2 {
        run.pinned = rundata::Servers::default();
    }
    run.servers.points.retain_mut(|p| match p.setup.threads {
        Some(_) if cores == 1 => false,
        Some(_) => {
            p.setup.threads = Some(cores);
            p.server = p.setup.to_string();
            true
        }
        None => true,
    });
    for p in run.servers.points.iter_mut().filter(|p| p.setup.is_rust()) {
        p.rps = (p.rps * scale).min(p.ideal());
    }
    // rayon's pool, one thread per core: on one core the six sites and the zip codes in a row,
    // on sixteen the six sites at once and the zip codes in sixteen shares.
    let scale_of_time = run.settings.time_scale;
    let sites: Vec<f64> = origin::sites()
        .iter()
        .map(|s| s.latency.as_secs_f64() * scale_of_time)
        .collect();
    let zips: f64 = origin::zips()
        .iter()
        .map(|z| origin::jobs(z).latency.as_secs_f64() * scale_of_time)
        .sum();
    for cell in run
        .clients
        .cells
        .iter_mut()
        .filter(|c| c.model == "fetch-rayon")
    {
        match (cell.workload.as_str(), cores) {
            ("sites", 1) => cell.wall = Some(sites.iter().sum()),
            ("sites", _) => cell.wall = Some(sites.iter().copied().fold(0.0, f64::max)),
            ("jobs", n) => cell.wall = Some(zips / f64::from(n)),
            _ => {}
        }
    }
    run
}

/// Every page, chart and book file made from a run, and every claim's outcome.
fn made_whole(run: &Results, name: &str) -> (Vec<(&'static str, findings::Section)>, String) {
    let sections = pages::all_sections(run, &root());
    let scratch = std::env::temp_dir().join(format!("docgen-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let charts = crate::charts::draw(run, &scratch).unwrap();
    let files: std::collections::BTreeMap<String, Vec<u8>> = charts
        .iter()
        .map(|c| (c.clone(), std::fs::read(scratch.join(c)).unwrap()))
        .collect();
    crate::book::generate(&root(), run, &files).unwrap();
    let report = crate::report::report(run, &sections, &charts);
    std::fs::remove_dir_all(&scratch).unwrap();
    // The report lists every claim with one of the three outcomes.
    for (kind, section) in sections
        .iter()
        .filter(|(_, s)| s.kind == findings::Kind::Claim)
    {
        let line = report
            .lines()
            .find(|l| l.contains(&format!("`{kind}:{}`", section.name)))
            .unwrap_or_else(|| panic!("{name}: the report leaves out {kind}:{}", section.name));
        assert!(
            [
                "| held |",
                "| not held: ",
                "| not measured: ",
                "| not judged at this scale"
            ]
            .iter()
            .any(|o| line.contains(o)),
            "{name}: {line}"
        );
    }
    (sections, report)
}

fn claim<'s>(sections: &'s [(&str, findings::Section)], name: &str) -> &'s findings::Section {
    &sections.iter().find(|(_, s)| s.name == name).unwrap().1
}

#[test]
fn every_page_is_made_from_a_one_core_and_a_sixteen_core_run_and_every_claim_accounted_for() {
    let committed = Results::read(&root().join(rundata::RUN)).unwrap();
    let claims = |sections: &[(&str, findings::Section)]| {
        sections
            .iter()
            .filter(|(_, s)| s.kind == findings::Kind::Claim)
            .count()
    };
    let whole = claims(&made_whole(&committed, "committed").0);
    for cores in [1, 16] {
        let run = as_if(cores);
        let (sections, report) = made_whole(&run, &format!("cores-{cores}"));
        // What a claim could not judge is said with why.
        assert_eq!(
            report.contains("The servers' pinned mode: not run"),
            cores == 1,
            "{cores} cores"
        );
        assert!(
            report.contains(&figures::prose::cores(cores)),
            "{cores} cores"
        );
        assert_eq!(
            claims(&sections),
            whole,
            "a claim disappeared on {cores} cores"
        );
        for (kind, section) in &sections {
            if section.kind == findings::Kind::Claim && section.text.is_err() {
                eprintln!(
                    "{cores} cores: {kind}:{}: {}",
                    section.name,
                    section.outcome()
                );
            }
        }
        // The sentences that read the machine say its cores, not the committed run's.
        if let Ok(text) = &claim(&sections, "yielding").text {
            let says = if cores == 1 {
                "one core, so no server ran a loop per core".to_string()
            } else {
                format!("`--threads {cores}`")
            };
            assert!(text.contains(&says), "{cores} cores: {text}");
        }
        if let Ok(text) = &claim(&sections, "rates-findings").text {
            let cores_said = if cores == 1 {
                "one core".to_string()
            } else {
                format!("{cores} cores")
            };
            assert!(
                text.contains(&format!("oha shares the {cores_said}")),
                "{text}"
            );
        }
        let rayon = claim(&sections, "sites-findings");
        assert!(
            !matches!(&rayon.text, Ok(t) if t.contains("2 threads")),
            "{cores} cores: rayon's pool said as the committed run's"
        );
    }
}

#[test]
fn a_quick_run_does_not_judge_a_claim_of_figures_at_scale() {
    let mut run = Results::read(&root().join(rundata::RUN)).unwrap();
    // The reactor's memory per request at N = 10,000 ten times over: no longer the floor.
    for cell in run
        .clients
        .cells
        .iter_mut()
        .filter(|c| c.workload == "sweep-10000" && c.model == "fetch-reactor")
    {
        cell.per_in_flight = cell.per_in_flight.map(|v| v * 10.0);
    }
    let outcome = |run: &Results| {
        let sections = pages::all_sections(run, &root());
        claim(&sections, "per-request-findings").outcome().word()
    };
    assert_eq!(outcome(&run), "not held", "a whole run judges it");
    run.settings.quick = true;
    assert_eq!(
        outcome(&run),
        "not judged at this scale",
        "a quick run does not"
    );
}
