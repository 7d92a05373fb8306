//! The targets, the page's summary, and the run's duration for the README.

use super::*;

/// The targets: what is met, what is missed and why.
pub fn targets(run: &Results) -> Claim {
    let outcomes = clients::outcomes(&run.clients);
    let measured: Vec<&clients::Outcome> = outcomes.iter().filter(|o| o.met().is_some()).collect();
    if measured.is_empty() {
        return Err(Unsupported::Missing("any target's figures".into()));
    }
    let met = measured.iter().filter(|o| o.met() == Some(true)).count();
    let missed: Vec<&&clients::Outcome> =
        measured.iter().filter(|o| o.met() == Some(false)).collect();
    let mut t = format!("Met: {} of the {} targets measured. ", met, measured.len());
    if missed.is_empty() {
        t.push_str("None is missed.\n");
        return Ok(t);
    }
    t.push_str("Missed, and why:\n\n| target | missed by | why |\n|---|---|---|\n");
    let mut targets: Vec<&str> = Vec::new();
    for o in &missed {
        if !targets.contains(&o.what) {
            targets.push(o.what);
        }
    }
    for what in targets {
        let these: Vec<&&&clients::Outcome> = missed.iter().filter(|o| o.what == what).collect();
        let figures: Vec<String> = these
            .iter()
            .map(|o| {
                format!(
                    "{} {:.2}{} against {:.2}{}",
                    name(o.model),
                    o.figure.unwrap_or(f64::NAN),
                    o.unit,
                    o.limit.unwrap_or(f64::NAN),
                    o.unit
                )
            })
            .collect();
        let why = match these[0].why_missed {
            "" => "not traced yet",
            why => why,
        };
        t.push_str(&format!("| {what} | {} | {why} |\n", figures.join("; ")));
    }
    Ok(t)
}

/// The page's summary, each point a claim of its own.
pub fn reading(run: &Results) -> Claim {
    let c = &run.clients;
    let (_, slowest, _) = site_latencies(run);
    let all = c.all_at_once();
    let sites = each(run, "sites", &all, wall)?;
    let (_, high) = need(extremes(&values(&sites)), "the sites")?;
    holds!(
        high <= slowest * 1.02,
        "a concurrent model missed the floor"
    );
    let (_, n) = sweep_top(run, "sweep")?;
    let top = format!("sweep-{n}");
    let runtimes: Vec<&str> = of_family(run, Family::Runtime)
        .into_iter()
        .filter(|m| *m != "fetch-compio")
        .collect();
    let rt_walls = each(run, "sweep-2000", &runtimes, wall)?;
    let (low, high_2000) = need(extremes(&values(&rt_walls)), "the runtimes")?;
    holds!(
        high_2000 <= low * 1.1,
        "the async runtimes are more than 10% apart at N = 2,000"
    );
    let rt_per = each(run, &top, &runtimes, pick::per_request)?;
    let reactor = trusted(run, &top, "fetch-reactor", pick::per_request)?;
    let threads_1000 = trusted(run, "sweep-1000", "fetch-threads", wall)?;
    let best_1000 = values(&each(run, "sweep-1000", &runtimes, wall)?)
        .into_iter()
        .fold(f64::MAX, f64::min);
    holds!(
        threads_1000 <= best_1000 * 1.3,
        "threads are not as fast as async at N = 1,000"
    );
    Ok(format!(
        "- **Waiting is free when nothing waits on a thread.** Every model that lets all \
         requests wait at once takes the slowest request's time. On the six sites, that is \
         within {} of the slowest site.\n\
         - **Threads are the talk's `threaded.py` at Rust's price.** At N = 1,000 they are within \
         {} of async ({} against {}). Past that, the spawns take longer than the wait. Each \
         request costs several times the memory.\n\
         - **A data-parallel pool is the wrong tool for waiting.** rayon's threads block on \
         sockets and cannot steal work.\n\
         - **The async runtimes are alike in time; their HTTP clients differ in memory.** At \
         N = 2,000 the runtimes with a client of their own finish within {} of each other: {}. \
         Per request they hold {}. Most of it is their clients' buffers per connection.\n\
         - **The least a request can hold is a reactor's.** Callbacks on one `epoll` keep \
         nothing per connection but its parse state: {} per request in flight. What the \
         runtimes add on top (tasks, wakers, a client's buffers) is the rest of their cost.\n{}",
        percent(high / slowest - 1.0),
        percent(threads_1000 / best_1000 - 1.0),
        s(threads_1000),
        s(best_1000),
        percent(high_2000 / low - 1.0),
        span(low, high_2000, s),
        list(
            &rt_per
                .iter()
                .map(|(m, v)| format!("{} {}", name(m), kib(*v)))
                .collect::<Vec<_>>()
        ),
        kib(reactor),
        against_curl(run)?,
    ))
}

/// The summary's point about curl: the async Rust models spend no more CPU than the C client
/// on the same URLs.
fn against_curl(run: &Results) -> Claim {
    let c = &run.clients;
    let Some(jobs) = c.many_jobs() else {
        return Ok(String::new());
    };
    let mid = format!("pages-{}", 2000.min(sweep_top(run, "pages")?.1));
    let (Ok(curl_pages), Ok(curl_jobs)) =
        (trusted(run, &mid, CURL, cpu), trusted(run, jobs, CURL, cpu))
    else {
        return Ok(String::new());
    };
    let runtimes = of_family(run, Family::Runtime);
    let pages = each(run, &mid, &runtimes, cpu)?;
    let small = each(run, jobs, &runtimes, cpu)?;
    let (_, pages_high) = need(extremes(&values(&pages)), "the runtimes")?;
    let (_, small_high) = need(extremes(&values(&small)), "the runtimes")?;
    // Said as the run found it: "no cheaper" only where no runtime spent more than curl (a
    // fifth more with the pages, whose CPU is mostly the kernel's copying).
    let lead = if pages_high <= curl_pages * 1.2 && small_high <= curl_jobs {
        "The C reference is no cheaper."
    } else {
        "The C reference, for CPU."
    };
    Ok(format!(
        "- **{lead}** On the same URLs the async runtimes spend {} curl's CPU with the talk's \
         pages. With the jobs API's small answers they spend {}. And they have no limit on how \
         many requests wait at once.\n",
        span(
            values(&pages).into_iter().fold(f64::MAX, f64::min) / curl_pages,
            pages_high / curl_pages,
            |r| format!("{r:.2} times")
        ),
        span(
            values(&small).into_iter().fold(f64::MAX, f64::min) / curl_jobs,
            small_high / curl_jobs,
            |r| format!("{r:.2} times")
        ),
    ))
}

/// The README's line about how long the whole run takes.
pub fn took(run: &Results) -> Claim {
    let took = run.settings.took_s;
    let waited = run.settings.time_wait_waited_s;
    Ok(format!(
        "The committed run took {}, {:.0} s of it waiting for ports. Its machine: {}.\n",
        tables::setup::minutes(took),
        waited,
        tables::setup::machine_line(run).trim_end(),
    ))
}
