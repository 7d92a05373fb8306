//! The Python rows beside their Rust models: the talks' programs, and the Python servers.

use super::*;

/// The Python programs beside their Rust models.
pub fn python(run: &Results) -> Claim {
    let c = &run.clients;
    let (_, n) = sweep_top(run, "sweep")?;
    let top = format!("sweep-{n}");
    let programs: Vec<&catalogue::Python> = catalogue::PYTHON_TALKS
        .iter()
        .filter(|p| c.cell("sites", p.name).is_some() || c.cell("jobs", p.name).is_some())
        .collect();
    if programs.is_empty() {
        return Err(Unsupported::Missing("the talks' Python programs".into()));
    }
    let wrong: Vec<String> = c
        .cells
        .iter()
        .filter(|cell| catalogue::Python::named(&cell.model).is_some())
        .filter(|cell| cell.measured() && !cell.trusted())
        .map(|cell| format!("{} on {}", cell.model, cell.workload))
        .collect();
    holds!(
        wrong.is_empty(),
        "{} did not get every answer right",
        list(&wrong)
    );
    let loops: Vec<&catalogue::Python> = programs
        .iter()
        .copied()
        .filter(|p| p.kind == catalogue::PythonKind::Sites && p.family.is_event_loop())
        .collect();
    let mut py_per = Vec::new();
    let mut ratios = Vec::new();
    for p in &loops {
        let wall_ = trusted(run, &top, p.name, wall)?;
        let cpu_ = trusted(run, &top, p.name, cpu)?;
        holds!(
            cpu_ >= wall_ * 0.75,
            "{} used {} of CPU in {}: not bound by one core",
            p.name,
            s(cpu_),
            s(wall_)
        );
        let rust_cpu = trusted(run, &top, p.beside, cpu)?;
        py_per.push(cpu_ / n as f64);
        ratios.push(cpu_ / rust_cpu);
    }
    let mut t = format!(
        "Every program of the talks got every answer right, at every N it ran. Up to N = 100 \
         each waits as well as its Rust model. Past 1,000 they are bound by one core, since the \
         interpreter runs one thread at a time. At {} an event-loop program's wall time is its \
         CPU time: {} of CPU per request, {} its Rust model's.",
        group(n),
        span_of(&py_per, "the programs' CPU", |v| format!(
            "{:.2} ms",
            v * 1000.0
        ))?,
        span_of(&ratios, "the ratios", times)?,
    );
    if let (Ok(py_at_once), Ok(rust_at_once)) = (
        trusted(run, &top, "thrd.py", in_flight),
        trusted(run, &top, "fetch-threads", in_flight),
    ) {
        holds!(
            py_at_once < rust_at_once,
            "thrd.py had as many in flight as fetch-threads"
        );
        let py_rss = trusted(run, &top, "thrd.py", rss)?;
        let rust_rss = trusted(run, &top, "fetch-threads", rss)?;
        t.push_str(&format!(
            " `thrd.py` looks cheap at {} ({} against fetch-threads' {}) only because it is \
             slow. The GIL serializes the starting threads, and each ends a delay later. So at \
             most {} of its requests were in flight at once (fetch-threads: {}).",
            group(n),
            mib(py_rss),
            mib(rust_rss),
            group(py_at_once as u64),
            group(rust_at_once as u64),
        ));
    }
    let sites = each(
        run,
        "sites",
        &programs
            .iter()
            .filter(|p| p.kind == catalogue::PythonKind::Sites && p.family != Family::Sequential)
            .map(|p| p.name)
            .collect::<Vec<_>>(),
        wall,
    )?;
    let (_, slowest, _) = site_latencies(run);
    t.push_str(&format!(
        " On the six sites the Python programs take {}, the slowest site {}. They wait as \
         well as the Rust models.\n",
        span_of(&values(&sites), "the programs on the sites", s)?,
        s(slowest)
    ));
    Ok(t)
}
