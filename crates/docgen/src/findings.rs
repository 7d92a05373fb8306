//! What the pages say about the figures, each claim a function of the run ([`crate::claim`]):
//! it computes its figures, writes its sentences around them, and fails, saying why, when the
//! run does not bear its words out. The hand-written prose around them explains; only these
//! compare.

use catalogue::{CURL, Family};
use figures::format::{group, kib, mib};
use figures::talk;

use crate::claim::{
    Claim, Unsupported, extremes, holds, list, name, need, percent, possessive, s, span, span_of,
    times,
};
use crate::clients::{self, ceiling};
use crate::data::{Cell, Run, family, with};
use crate::servers::calls_of;

mod servers;
pub use servers::*;

/// The figure `pick` of a cell whose every run was right, or why there is none.
fn trusted(
    run: &Run,
    workload: &str,
    model: &str,
    pick: fn(&Cell) -> Option<f64>,
) -> Result<f64, Unsupported> {
    need(
        run.clients.trusted(workload, model, pick),
        format!("{} on {workload}, every run right", name(model)),
    )
}

/// The figures a claim picks from a cell.
mod pick {
    use crate::data::Cell;

    pub fn wall(c: &Cell) -> Option<f64> {
        c.wall
    }
    pub fn cpu(c: &Cell) -> Option<f64> {
        c.cpu
    }
    pub fn rss(c: &Cell) -> Option<f64> {
        c.rss
    }
    pub fn per_request(c: &Cell) -> Option<f64> {
        c.per_in_flight
    }
    pub fn in_flight(c: &Cell) -> Option<f64> {
        c.in_flight
    }
}
use pick::{cpu, in_flight, rss, wall};

/// `pick` of every model of `models` on `workload`, each trusted; fails on the first missing.
fn each(
    run: &Run,
    workload: &str,
    models: &[&str],
    pick: fn(&Cell) -> Option<f64>,
) -> Result<Vec<(String, f64)>, Unsupported> {
    models
        .iter()
        .map(|m| Ok((m.to_string(), trusted(run, workload, m, pick)?)))
        .collect()
}

fn values(pairs: &[(String, f64)]) -> Vec<f64> {
    pairs.iter().map(|(_, v)| *v).collect()
}

/// The pair with the least figure.
fn least(pairs: &[(String, f64)]) -> Result<&(String, f64), Unsupported> {
    need(
        pairs.iter().min_by(|a, b| a.1.total_cmp(&b.1)),
        "any figure to rank",
    )
}

fn most(pairs: &[(String, f64)]) -> Result<&(String, f64), Unsupported> {
    need(
        pairs.iter().max_by(|a, b| a.1.total_cmp(&b.1)),
        "any figure to rank",
    )
}

fn ms(seconds: f64) -> String {
    format!("{:.0} ms", seconds * 1000.0)
}

fn mib_of(bytes: f64) -> String {
    mib(bytes)
}

fn kib_of(bytes: f64) -> String {
    kib(bytes)
}

/// The run's time scale: the delays the origin waited, a fiftieth in `--quick`.
fn time_scale(run: &Run) -> f64 {
    run.settings["time_scale"].as_f64().unwrap_or(1.0)
}

/// The six sites' latencies added up, and the slowest with its name.
fn site_latencies(run: &Run) -> (f64, f64, &'static str) {
    let scale = time_scale(run);
    let sites = origin::sites();
    let sum: f64 = sites.iter().map(|s| s.latency.as_secs_f64() * scale).sum();
    let slowest = sites
        .iter()
        .max_by(|a, b| a.latency.cmp(&b.latency))
        .expect("six sites");
    (sum, slowest.latency.as_secs_f64() * scale, slowest.name)
}

/// The jobs API's latencies over the talk's zips added up, and the slowest.
fn zip_latencies(run: &Run) -> (f64, f64) {
    let scale = time_scale(run);
    let latencies: Vec<f64> = origin::zips()
        .iter()
        .map(|z| origin::jobs(z).latency.as_secs_f64() * scale)
        .collect();
    (
        latencies.iter().sum(),
        latencies.iter().copied().fold(0.0, f64::max),
    )
}

/// The Rust models on an event loop (a runtime's or their own).
fn event_loops(run: &Run) -> Vec<&'static str> {
    run.clients
        .rust()
        .into_iter()
        .filter(|m| family(m).is_some_and(Family::is_event_loop))
        .collect()
}

/// The models of a family among the run's Rust models.
fn of_family(run: &Run, family_: Family) -> Vec<&'static str> {
    run.clients
        .rust()
        .into_iter()
        .filter(|m| family(m) == Some(family_))
        .collect()
}

/// The six sites.
pub fn sites(run: &Run) -> Claim {
    let (sum, slowest, slowest_name) = site_latencies(run);
    let sync = trusted(run, "sites", "fetch-sync", wall)?;
    holds!(
        sync >= sum && sync <= sum * 1.02 + 0.05,
        "sync took {}, not the sum of the latencies ({})",
        s(sync),
        s(sum)
    );
    let all = run.clients.all_at_once();
    let walls = each(run, "sites", &all, wall)?;
    let (low, high) = need(extremes(&values(&walls)), "the concurrent models")?;
    holds!(
        high <= slowest * 1.02,
        "the slowest of them took {}, past 1.02 times the slowest site ({})",
        s(high),
        s(slowest)
    );
    let mut t = format!(
        "The origin replays the talk's measurements: the six latencies add up to {} and the \
         slowest, {slowest_name}, takes {}. The synchronous model takes the sum and {} more. \
         Every model that lets all six wait at once takes the slowest and {} more, {} times the \
         floor, within the 1.02 times that the reactor, the green threads and compio are held to.",
        s(sum),
        s(slowest),
        ms(sync - sum),
        span(low - slowest, high - slowest, ms),
        span(low / slowest, high / slowest, |r| format!("{r:.3}")),
    );
    if let Ok(curl) = trusted(run, "sites", CURL, wall) {
        t.push_str(&format!(
            " curl takes {} past the floor: its wall time is measured from outside the process, \
             its start included, where the models' own clock starts in `main`.",
            ms(curl - slowest)
        ));
    }
    let all_rss = each(run, "sites", &run.clients.rust(), rss)?;
    let mut sorted = all_rss.clone();
    sorted.sort_by(|a, b| a.1.total_cmp(&b.1));
    let smallest: Vec<&(String, f64)> = sorted
        .iter()
        .take_while(|(_, v)| *v <= sorted[0].1 * 1.05)
        .collect();
    let runtimes = of_family(run, Family::Runtime);
    let runtime_rss = each(run, "sites", &runtimes, pick::rss)?;
    holds!(
        smallest
            .iter()
            .all(|(m, _)| !runtimes.contains(&m.as_str())),
        "a runtime is among the smallest programs"
    );
    t.push_str(&format!(
        " The smallest program{} {} ({}), against {} for the async runtimes with their HTTP \
         clients.",
        if smallest.len() > 1 { "s are" } else { " is" },
        list(&smallest.iter().map(|(m, _)| name(m)).collect::<Vec<_>>()),
        span_of(
            &smallest.iter().map(|(_, v)| *v).collect::<Vec<_>>(),
            "rss",
            mib_of
        )?,
        span_of(&values(&runtime_rss), "the runtimes' RSS", mib_of)?,
    ));
    let talk = talk::of_talk("async-python");
    let talk_sync = need(
        talk.iter().find(|r| r.program == "sync.py"),
        "the talk's sync.py",
    )?;
    let talk_concurrent: Vec<f64> = talk
        .iter()
        .filter(|r| r.program != "sync.py")
        .map(|r| r.wall_s)
        .collect();
    t.push_str(&format!(
        " The talk's own concurrent programs took {} over the internet of 2014, against a \
         synchronous {}: the same shape, with a real network's noise in it.\n",
        span_of(&talk_concurrent, "the talk's runs", s)?,
        s(talk_sync.wall_s)
    ));
    t.push('\n');
    t.push_str(&rayon(run)?);
    Ok(t)
}

/// rayon's pool on the six sites: its halves.
fn rayon(run: &Run) -> Claim {
    let pool = need(
        run.part("talks")["rayon_pool"].as_u64(),
        "the size of rayon's pool",
    )?;
    holds!(
        pool == 2,
        "rayon's pool is {pool} threads, not the two this sentence is about"
    );
    let rayon = trusted(run, "sites", "fetch-rayon", wall)?;
    let scale = time_scale(run);
    let sites = origin::sites();
    let half = |part: &[origin::Site]| -> f64 {
        part.iter().map(|s| s.latency.as_secs_f64() * scale).sum()
    };
    let (first, second) = sites.split_at(sites.len() / 2);
    let (a, b) = (half(first), half(second));
    let longer = a.max(b);
    holds!(
        (rayon - longer).abs() <= longer * 0.03 + 0.02,
        "rayon took {}, not the longer half's {}",
        s(rayon),
        s(longer)
    );
    Ok(format!(
        "rayon shows its pool: two threads on two cores, so the six requests go in two halves. \
         rayon splits the list in the middle before any thread starts, one half per thread, \
         and a thread waiting on a socket cannot steal anything: {} is the first half's \
         latencies in a row ({}), where the second half's take {}. `--threads 6` gives it the \
         slowest site's time like the others ([fetch-rayon's tests](../crates/fetch-rayon/tests/pool.rs) \
         check both).\n",
        s(rayon),
        list(
            &first
                .iter()
                .map(|site| site.name.to_string())
                .collect::<Vec<_>>()
        ),
        s(b)
    ))
}

/// The jobs API over the talk's 100 zip codes.
pub fn jobs(run: &Run) -> Claim {
    let c = &run.clients;
    let (sum, slowest) = zip_latencies(run);
    let wrong: Vec<String> = c
        .of_workload("jobs")
        .filter(|cell| cell.model != CURL && cell.measured() && cell.correct != Some(true))
        .map(|cell| name(&cell.model))
        .collect();
    holds!(wrong.is_empty(), "{} answered wrong", list(&wrong));
    let total = need(
        c.cell("jobs", "fetch-sync")
            .and_then(|cell| cell.jobs_total),
        "the jobs total",
    )?;
    let sync = trusted(run, "jobs", "fetch-sync", wall)?;
    holds!(
        (sync - sum).abs() <= sum * 0.02 + 0.1,
        "sync took {} for latencies that add up to {}",
        s(sync),
        s(sum)
    );
    let all = c.all_at_once();
    let walls = each(run, "jobs", &all, wall)?;
    let (low, high) = need(extremes(&values(&walls)), "the concurrent models")?;
    holds!(
        high <= slowest * 1.1 + 0.02,
        "a concurrent model took {} for a slowest zip of {}",
        s(high),
        s(slowest)
    );
    let asyncio = need(talk::program("async.py"), "the talk's async.py")?;
    let talk_rss = need(asyncio.peak_mem_bytes, "the talk's async.py memory")?;
    let talk_cpu = need(asyncio.cpu_s(), "the talk's async.py CPU")?;
    let loops = event_loops(run);
    let loop_rss = each(run, "jobs", &loops, rss)?;
    let loop_cpu = each(run, "jobs", &loops, cpu)?;
    let (_, rss_high) = need(extremes(&values(&loop_rss)), "the loops' memory")?;
    holds!(
        rss_high < talk_rss,
        "an event-loop model held {} against the talk's {}",
        mib(rss_high),
        mib(talk_rss)
    );
    let mut t = format!(
        "Every model's answer is {}, the origin's own total, in every run. The origin's \
         latencies for the 100 zip codes add up to the talk's blocking run ({}), and the \
         synchronous model takes {}. The concurrent models take the slowest zip's latency, {}, \
         and {} more: {} faster than the talk's asyncio run ({}). That comparison flatters them \
         (the talk waited on the real API); what it shows is that every model here reaches the \
         floor its server allows.",
        group(total),
        s(sum),
        s(sync),
        s(slowest),
        span(low - slowest, high - slowest, ms),
        span(asyncio.wall_s / high, asyncio.wall_s / low, times),
        s(asyncio.wall_s),
    );
    t.push_str(&format!(
        " The memory compares better: {} for a whole event-loop program in Rust with its HTTP \
         and TLS stack, against the talk's {} for Python with asyncio and aiohttp",
        span_of(&values(&loop_rss), "the loops' memory", mib_of)?,
        mib(talk_rss),
    ));
    if let Ok(here) = trusted(run, "jobs", "async.py", rss) {
        t.push_str(&format!(
            " ({} for the same program on this machine)",
            mib(here)
        ));
    }
    t.push_str(&format!(
        "; and CPU most: {} for the event loops against the talk's {}",
        span_of(&values(&loop_cpu), "the loops' CPU", s)?,
        s(talk_cpu)
    ));
    if let Ok(here) = trusted(run, "jobs", "async.py", cpu) {
        t.push_str(&format!(" ({} here)", s(here)));
    }
    t.push_str(".\n");
    if let Ok(rayon) = trusted(run, "jobs", "fetch-rayon", wall) {
        holds!(
            rayon < sum * 0.6 && rayon > sum * 0.4,
            "rayon took {} where half the sum is {}",
            s(rayon),
            s(sum / 2.0)
        );
        t.push_str(&format!(
            "\nrayon takes about half the sum ({}): its two threads each wait out half the zip \
             codes in turn.\n",
            s(rayon)
        ));
    }
    Ok(t)
}

/// The jobs API at scale.
pub fn many_jobs(run: &Run) -> Claim {
    let c = &run.clients;
    let workload = need(c.many_jobs(), "the jobs API at scale")?.to_string();
    let n = need(c.cell(&workload, "fetch-tokio").map(|cell| cell.n), "its N")?;
    let expected = n / 100 * origin::TALK_JOBS_TOTAL;
    let wrong: Vec<String> = c
        .of_workload(&workload)
        .filter(|cell| cell.model != CURL && cell.measured())
        .filter(|cell| cell.jobs_total != Some(expected) || cell.correct != Some(true))
        .map(|cell| name(&cell.model))
        .collect();
    holds!(wrong.is_empty(), "{} answered wrong", list(&wrong));
    let runtimes = of_family(run, Family::Runtime);
    let (_, slowest) = zip_latencies(run);
    let rt_wall = each(run, &workload, &runtimes, wall)?;
    let rt_cpu = each(run, &workload, &runtimes, cpu)?;
    let rt_rss = each(run, &workload, &runtimes, rss)?;
    let rust = c.rust();
    let all_cpu: Vec<(String, f64)> = rust
        .iter()
        .filter_map(|m| Some((m.to_string(), c.trusted(&workload, m, cpu)?)))
        .collect();
    let (frugal, frugal_cpu) = least(&all_cpu)?.clone();
    let mut t = format!(
        "Every model sums {}, {} times the talk's 1651, in every run. The async runtimes take \
         {}, {} past the slowest zip's latency, in {} of CPU and {}. The least CPU is {}, {}",
        group(expected),
        n / 100,
        span_of(&values(&rt_wall), "the runtimes' wall", s)?,
        span_of(
            &values(&rt_wall)
                .iter()
                .map(|w| w - slowest)
                .collect::<Vec<_>>(),
            "past the slowest",
            s
        )?,
        span_of(&values(&rt_cpu), "the runtimes' CPU", s)?,
        span_of(&values(&rt_rss), "the runtimes' memory", mib_of)?,
        possessive(&name(&frugal)),
        s(frugal_cpu),
    );
    let reactor_rss = trusted(run, &workload, "fetch-reactor", rss)?;
    t.push_str(&format!("; the reactor holds {}.", mib(reactor_rss)));
    if let (Ok(curl_cpu), Ok(curl_wall), Ok(curl_rss)) = (
        trusted(run, &workload, CURL, cpu),
        trusted(run, &workload, CURL, wall),
        trusted(run, &workload, CURL, rss),
    ) {
        let (low, high) = need(extremes(&values(&rt_cpu)), "the runtimes' CPU")?;
        holds!(
            curl_cpu > high,
            "curl's CPU ({}) is not above every runtime's",
            s(curl_cpu)
        );
        t.push_str(&format!(
            " curl spends {} the runtimes' CPU, {}, on the same {} small answers without \
             parsing them, and takes {} in {}: it waits for a free slot past its {} at once.",
            span(curl_cpu / high, curl_cpu / low, times),
            s(curl_cpu),
            group(n),
            s(curl_wall),
            mib(curl_rss),
            catalogue::CURL_PARALLEL_MAX
        ));
    }
    if let (Ok(threads_wall), Ok(threads_rss), Ok(at_once)) = (
        trusted(run, &workload, "fetch-threads", wall),
        trusted(run, &workload, "fetch-threads", rss),
        trusted(run, &workload, "fetch-threads", in_flight),
    ) {
        t.push_str(&format!(
            " Threads finish too ({}), but hold {}: {} threads at once, each with its stack.",
            s(threads_wall),
            mib(threads_rss),
            group(at_once as u64)
        ));
    }
    t.push('\n');
    Ok(t)
}

/// The delay of the sweeps, and the largest N below the ceiling.
fn sweep_top(run: &Run, stem: &str) -> Result<(f64, u64), Unsupported> {
    let delay = need(
        run.part("sweeps")["sweep_delay_s"].as_f64(),
        "the sweeps' delay",
    )?;
    let n = need(
        run.clients.sweep(stem, ceiling(run)).last().copied(),
        "the sweep",
    )?;
    Ok((delay, n))
}

/// The 1 KiB sweep.
pub fn sweep(run: &Run) -> Claim {
    let c = &run.clients;
    let (delay, n) = sweep_top(run, "sweep")?;
    let top = format!("sweep-{n}");
    let budget = run.part("sweeps")["budget_s"].as_f64().unwrap_or(f64::NAN);
    let skipped: Vec<String> = c
        .rust()
        .iter()
        .filter(|m| {
            c.cell("sweep-1000", m)
                .is_some_and(|cell| cell.status == "Skipped")
        })
        .map(|m| name(m))
        .collect();
    let mut t = String::new();
    if !skipped.is_empty() {
        t.push_str(&format!(
            "{} grow linearly with N and are skipped past the budget of {:.0} s (their wall \
             time would be N times the delay, or N over the pool's two threads): the talk's \
             question, \"change from 6 end points to 600?\", has its answer here. ",
            list(&skipped),
            budget
        ));
    }
    let waiting: Vec<&str> = c
        .all_at_once()
        .into_iter()
        .filter(|m| family(m) != Some(Family::Threads))
        .collect();
    let walls = each(run, &top, &waiting, wall)?;
    for m in &waiting {
        let cell = need(c.cell(&top, m), "the cell")?;
        holds!(
            cell.in_flight == Some(n as f64),
            "{} did not have all {} in flight",
            name(m),
            group(n)
        );
    }
    let (fast, fast_wall) = least(&walls)?.clone();
    t.push_str(&format!(
        "Every model on an event loop completes {} requests at once, every one of them ok, in \
         {} (the fastest, {}, in {}): the delay is {}, and the rest is opening, serving and \
         closing the connections on the cores that the origin shares with the client (what the \
         connections alone cost is below).",
        group(n),
        span_of(&values(&walls), "the loops' wall", s)?,
        name(&fast),
        s(fast_wall),
        s(delay),
    ));
    if let (Ok(threads_wall), Ok(at_once)) = (
        trusted(run, &top, "fetch-threads", wall),
        trusted(run, &top, "fetch-threads", in_flight),
    ) {
        let (_, slow) = need(extremes(&values(&walls)), "the loops")?;
        holds!(
            threads_wall > slow,
            "threads ({}) were not slower than every event loop ({})",
            s(threads_wall),
            s(slow)
        );
        t.push_str(&format!(
            " Threads complete too, but in {}: starting {} threads takes longer than the delay, \
             so the first requests end before the last threads start ({} in flight at once at \
             the most).",
            s(threads_wall),
            group(n),
            group(at_once as u64)
        ));
    }
    if let Ok(curl) = trusted(run, &top, CURL, wall) {
        let rounds = (n as f64 / catalogue::CURL_PARALLEL_MAX as f64).ceil();
        holds!(
            (curl - rounds * delay).abs() <= rounds * delay * 0.2,
            "curl took {}, not its {rounds} rounds of the delay",
            s(curl)
        );
        t.push_str(&format!(
            " curl, at most {} transfers at once, takes a delay per {} endpoints ({} for {}): \
             the price of its ceiling.",
            catalogue::CURL_PARALLEL_MAX,
            catalogue::CURL_PARALLEL_MAX,
            s(curl),
            group(n)
        ));
    }
    t.push('\n');
    Ok(t)
}

/// The connections alone: no delay against the sweep's delay.
pub fn burst(run: &Run) -> Claim {
    let c = &run.clients;
    let n = need(c.ns("burst").last().copied(), "the run with no delay")?;
    let delay = need(
        run.part("sweeps")["sweep_delay_s"].as_f64(),
        "the sweeps' delay",
    )?;
    let models: Vec<&str> = c
        .all_at_once()
        .into_iter()
        .filter(|m| family(m) != Some(Family::Threads))
        .collect();
    let burst = format!("burst-{n}");
    let bursts = each(run, &burst, &models, wall)?;
    let delayed = each(run, &format!("sweep-{n}"), &models, wall)?;
    // Where the time past the delay is of the order of the connections' own cost, and where not.
    let mut alike = Vec::new();
    let mut unlike = Vec::new();
    for ((m, b), (_, d)) in bursts.iter().zip(&delayed) {
        let extra = d - delay;
        if (0.5..=2.0).contains(&(extra / b)) {
            alike.push((m.clone(), extra, *b));
        } else {
            let slowest = c.trusted(&burst, m, |c| c.request_max);
            unlike.push(format!(
                "{} ({} past the delay, {} with no delay{})",
                name(m),
                s(extra),
                s(*b),
                slowest.map_or(String::new(), |x| format!(", its slowest request {}", s(x)))
            ));
        }
    }
    holds!(
        alike.len() * 2 > models.len(),
        "for most models the time past the delay is not the connections' cost"
    );
    let mut t = format!(
        "With no delay at all, {} requests at once take {}: the time to open, serve and close \
         {} loopback connections on this machine, client and origin sharing its cores. With the \
         delay of {}, {} take the delay and {} more, against {} with no delay: of the order of \
         the connections' own cost, so it is the machine's connections, not the models' waiting, \
         that the time past the delay measures.",
        group(n),
        span_of(&values(&bursts), "the runs with no delay", s)?,
        group(n),
        s(delay),
        list(&alike.iter().map(|(m, _, _)| name(m)).collect::<Vec<_>>()),
        span_of(
            &alike.iter().map(|a| a.1).collect::<Vec<_>>(),
            "past the delay",
            s
        )?,
        span_of(
            &alike.iter().map(|a| a.2).collect::<Vec<_>>(),
            "no delay",
            s
        )?,
    );
    if !unlike.is_empty() {
        t.push_str(&format!(" Not so for {}.", list(&unlike)));
    }
    t.push('\n');
    Ok(t)
}

/// Memory per request in flight, 1 KiB bodies.
pub fn memory_per_request(run: &Run) -> Claim {
    let c = &run.clients;
    let (_, n) = sweep_top(run, "sweep")?;
    let top = format!("sweep-{n}");
    let loops = event_loops(run);
    let per = each(run, &top, &loops, pick::per_request)?;
    // Flat: a price per connection, not a growing overhead.
    for m in &loops {
        let at: Vec<f64> = c
            .sweep("sweep", ceiling(run))
            .into_iter()
            .filter(|n| *n >= 1000)
            .filter_map(|n| c.trusted(&format!("sweep-{n}"), m, pick::per_request))
            .collect();
        if let Some((low, high)) = extremes(&at) {
            holds!(
                high <= low * 1.3 + 512.0,
                "{}'s memory per request goes from {} to {} across N",
                name(m),
                kib(low),
                kib(high)
            );
        }
    }
    let (floor, floor_per) = least(&per)?.clone();
    holds!(
        floor == "fetch-reactor",
        "the floor is {}'s, not the reactor's",
        name(&floor)
    );
    let runtimes = of_family(run, Family::Runtime);
    let rt: Vec<(String, f64)> = per
        .iter()
        .filter(|(m, _)| runtimes.contains(&m.as_str()) && m != "fetch-compio")
        .cloned()
        .collect();
    let (_, rt_low) = least(&rt)?.clone();
    let green = trusted(run, &top, "fetch-green", pick::per_request)?;
    let mut t = format!(
        "The event-loop models hold their cost per request steady from 1,000 to {}: it is a \
         price per connection, not an overhead that grows. The reactor is the floor, {} per \
         request in flight, {} smaller than the nearest async runtime with a client of its \
         own ({}); the green threads hold {}, mostly the pages of each green thread's stack \
         that a request touches. Per model at {}: {}.",
        group(n),
        kib(floor_per),
        times(rt_low / floor_per),
        span_of(&values(&rt), "the runtimes", kib_of)?,
        kib(green),
        group(n),
        list(
            &per.iter()
                .map(|(m, v)| format!("{} {}", name(m), kib(*v)))
                .collect::<Vec<_>>()
        ),
    );
    if let Ok(threads) = trusted(
        run,
        &format!("sweep-{}", 2000.min(n)),
        "fetch-threads",
        pick::per_request,
    ) {
        holds!(
            threads > rt_low * 5.0,
            "a thread ({}) is not several times a task ({})",
            kib(threads),
            kib(rt_low)
        );
        t.push_str(&format!(
            " A thread per request costs {} at N = {}: its stack's touched pages, its share of \
             the allocator's per-thread arenas, and the blocking client's buffers.",
            kib(threads),
            group(2000.min(n))
        ));
    }
    t.push('\n');
    Ok(t)
}

/// The site of a heap profile whose text holds `needle`, in KiB per request.
fn heap_site(run: &Run, model: &str, workload: &str, needle: &str) -> Result<f64, Unsupported> {
    let rows: Vec<_> = run
        .heap
        .iter()
        .filter(|r| r.get("model") == model && r.get("workload") == workload)
        .collect();
    need(
        rows.iter()
            .filter(|r| r.get("site").contains(needle))
            .filter_map(|r| r.num("kib_per_request"))
            .reduce(f64::max),
        format!("a site of {needle} in {model}'s profile of {workload}"),
    )
}

/// The sites of a heap profile whose text holds `needle`, added up, in KiB per request.
fn heap_sum(run: &Run, model: &str, workload: &str, needle: &str) -> Result<f64, Unsupported> {
    let sum: f64 = run
        .heap
        .iter()
        .filter(|r| r.get("model") == model && r.get("workload") == workload)
        .filter(|r| r.get("site").contains(needle))
        .filter_map(|r| r.num("kib_per_request"))
        .sum();
    holds!(
        sum > 0.0,
        "no site of {needle} in {model}'s profile of {workload}"
    );
    Ok(sum)
}

fn heap_total(run: &Run, model: &str, workload: &str) -> Result<f64, Unsupported> {
    let total: f64 = run
        .heap
        .iter()
        .filter(|r| r.get("model") == model && r.get("workload") == workload)
        .filter_map(|r| r.num("kib_per_request"))
        .sum();
    holds!(total > 0.0, "no profile of {model} on {workload}");
    Ok(total)
}

/// The profile's workload of 1 KiB bodies (`sweep-N`) and of the pages, where there are.
fn profile_workload(run: &Run, model: &str, stem: &str) -> Result<String, Unsupported> {
    need(
        run.heap
            .iter()
            .find(|r| r.get("model") == model && r.get("workload").starts_with(stem))
            .map(|r| r.get("workload").to_string()),
        format!("a heap profile of {model}"),
    )
}

/// Where the memory goes: the heap profiles.
pub fn heap(run: &Run) -> Claim {
    let mut t = String::new();
    for model in ["fetch-smol", "fetch-tokio"] {
        let workload = profile_workload(run, model, "sweep")?;
        let total = heap_total(run, model, &workload)?;
        // hyper's `Buffered::new`, the write buffer; its read buffer is `poll_read_from_io`.
        let write = heap_site(run, model, &workload, "proto/h1/io.rs:65)")?;
        let channel = heap_site(run, model, &workload, "mpsc")?;
        holds!(
            (6.0..=10.0).contains(&write) && (6.0..=10.0).contains(&channel),
            "{model}'s fixed blocks are {write:.1} and {channel:.1} KiB, not about 8"
        );
        t.push_str(&format!(
            "- **{} (hyper), {:.1} KiB of heap per request:** {:.1} KiB for the buffer hyper \
             writes the request head into (allocated at its full size for every connection) and \
             {:.1} KiB for the first block of hyper's per-connection request channel (a block of \
             tokio's mpsc, though one request ever goes through it).\n",
            name(model),
            total,
            write,
            channel
        ));
    }
    let workload = profile_workload(run, "fetch-async-std", "sweep")?;
    let total = heap_total(run, "fetch-async-std", &workload)?;
    let boxed = heap_site(run, "fetch-async-std", &workload, "async_trait")
        .or_else(|_| heap_site(run, "fetch-async-std", &workload, "send"))?;
    t.push_str(&format!(
        "- **async-std (surf over async-h1), {total:.1} KiB:** {boxed:.1} KiB at its largest \
         site, the boxed future of the backend's `send` (`HttpClient` is an `async_trait`, so \
         every request's whole async-h1 state machine is boxed).\n"
    ));
    let pages = profile_workload(run, "fetch-tokio", "pages")?;
    let total = heap_total(run, "fetch-tokio", &pages)?;
    let read = heap_sum(run, "fetch-tokio", &pages, "poll_read_from_io")?;
    holds!(
        read > total * 0.4,
        "hyper's read buffer is {read:.1} of {total:.1} KiB, not the largest part"
    );
    t.push_str(&format!(
        "- **tokio with the talk's pages, {total:.1} KiB:** {read:.1} KiB of it, the largest \
         part, in hyper's adaptive read buffer, grown with the page.\n"
    ));
    Ok(t)
}

/// The talk's page sizes.
pub fn pages(run: &Run) -> Claim {
    let c = &run.clients;
    let (_, n) = sweep_top(run, "pages")?;
    let mid = 2000.min(n);
    let loops = event_loops(run);
    let at_mid = each(run, &format!("pages-{mid}"), &loops, wall)?;
    let at_top = each(run, &format!("pages-{n}"), &loops, wall)?;
    let kib_mid = each(run, &format!("sweep-{mid}"), &loops, wall)?;
    let (fast, fast_wall) = least(&at_top)?.clone();
    let (slow, slow_wall) = most(&at_top)?.clone();
    let mut t = format!(
        "Pages of the talk's sizes instead of 1 KiB change the time little at N = {}: the \
         event loops take {} ({} with 1 KiB). At N = {}, {} arrive within a few seconds and \
         CPU starts to count: from {} ({}) to {} ({}).",
        group(mid),
        span_of(&values(&at_mid), "the loops with pages", s)?,
        span_of(&values(&kib_mid), "the loops with 1 KiB", s)?,
        group(n),
        figures::format::mib(
            n as f64 * origin::sites().iter().map(|s| s.bytes as f64).sum::<f64>()
                / origin::sites().len() as f64
        ),
        name(&fast),
        s(fast_wall),
        name(&slow),
        s(slow_wall),
    );
    let clients_cpu: Vec<(String, f64)> = c
        .rust()
        .into_iter()
        .chain([CURL])
        .filter_map(|m| Some((m.to_string(), c.trusted(&format!("pages-{mid}"), m, cpu)?)))
        .collect();
    let (frugal, frugal_cpu) = least(&clients_cpu)?.clone();
    if let Ok(curl) = trusted(run, &format!("pages-{mid}"), CURL, cpu) {
        t.push_str(&format!(
            " The least CPU for the pages at N = {} is {}, {}, against curl's {}.",
            group(mid),
            possessive(&name(&frugal)),
            s(frugal_cpu),
            s(curl)
        ));
    }
    // Memory: a fixed read buffer keeps the cost per request; hyper's adaptive one grows.
    let fixed: Vec<&str> = loops
        .iter()
        .copied()
        .filter(|m| {
            catalogue::Model::named(m)
                .is_some_and(|m| m.read_buffer == catalogue::ReadBuffer::Fixed)
        })
        .collect();
    let mut same = Vec::new();
    for m in &fixed {
        let pages = trusted(run, &format!("pages-{mid}"), m, pick::per_request)?;
        let small = trusted(run, &format!("sweep-{mid}"), m, pick::per_request)?;
        holds!(
            pages <= small * 1.25 + 512.0,
            "{}'s memory per request grows with the pages ({} against {})",
            name(m),
            kib(pages),
            kib(small)
        );
        same.push(format!("{} {}", name(m), kib(pages)));
    }
    let tokio_pages = trusted(
        run,
        &format!("pages-{mid}"),
        "fetch-tokio",
        pick::per_request,
    )?;
    let tokio_small = trusted(
        run,
        &format!("sweep-{mid}"),
        "fetch-tokio",
        pick::per_request,
    )?;
    holds!(
        tokio_pages > tokio_small * 2.0,
        "tokio's memory per request does not grow with the pages"
    );
    let tokio_rss = trusted(run, &format!("pages-{mid}"), "fetch-tokio", rss)?;
    let tokio_rss_small = trusted(run, &format!("sweep-{mid}"), "fetch-tokio", rss)?;
    t.push_str(&format!(
        "\n\nFor memory, the page size changes nothing for the models whose read buffer is of a \
         fixed size ({} per request in flight at N = {}, as with 1 KiB bodies): each counts a \
         chunk as it arrives and drops it. tokio holds {} per request, {} in all, against {} \
         with 1 KiB bodies: not the pages, which it does not keep either, but hyper's adaptive \
         read buffer, which starts at 8 KiB and doubles each time a read fills it, so that with \
         a big page streaming in over loopback it grows to the page's size. hyper lets a client \
         fix the size (`read_buf_exact_size`, as fetch-smol does) or cap it (`max_buf_size`), \
         but reqwest exposes neither.",
        list(&same),
        group(mid),
        kib(tokio_pages),
        mib(tokio_rss),
        mib(tokio_rss_small),
    ));
    if let Ok(curl) = trusted(run, &format!("pages-{mid}"), CURL, pick::per_request) {
        t.push_str(&format!(
            " curl holds {} per transfer with these pages.",
            kib(curl)
        ));
    }
    t.push('\n');
    Ok(t)
}

/// fetch-smol's read buffer.
pub fn read_buffer(run: &Run) -> Claim {
    let n = need(
        run.part("read-buffer")["read_buffer_n"].as_u64(),
        "the read-buffer part",
    )?;
    let (pages_workload, small_workload) = (format!("pages-{n}"), format!("sweep-{n}"));
    let pages = run.clients.read_buffers(&pages_workload);
    let small = run.clients.read_buffers(&small_workload);
    let find = |cells: &[&Cell], variant: &str| -> Result<(f64, f64), Unsupported> {
        let cell = need(
            cells
                .iter()
                .find(|c| {
                    if variant.is_empty() {
                        c.variant.is_empty()
                    } else {
                        c.variant.ends_with(variant)
                    }
                })
                .filter(|c| c.trusted()),
            format!("fetch-smol's read buffer {variant:?} on every run right"),
        )?;
        Ok((need(cell.rss, "its RSS")?, need(cell.cpu, "its CPU")?))
    };
    let (own_rss, own_cpu) = find(&pages, "")?;
    let (own_small_rss, _) = find(&small, "")?;
    let (two_rss, two_cpu) = find(&pages, "=2048")?;
    let (eight_rss, eight_cpu) = find(&pages, "=8192")?;
    let (sixteen_rss, sixteen_cpu) = find(&pages, "=16384")?;
    let (adaptive_rss, adaptive_cpu) = find(&pages, "=adaptive")?;
    let (adaptive_small_rss, _) = find(&small, "=adaptive")?;
    holds!(
        own_rss <= own_small_rss * 1.1,
        "4 KiB holds more with the pages than with the small answers"
    );
    holds!(
        adaptive_rss > adaptive_small_rss * 1.1,
        "hyper's adaptive buffer does not grow with the pages"
    );
    holds!(
        two_rss < own_rss && two_cpu > own_cpu,
        "2 KiB does not save memory for CPU against 4 KiB"
    );
    holds!(
        eight_rss > own_rss && eight_cpu < own_cpu,
        "8 KiB does not spend memory to save CPU against 4 KiB"
    );
    Ok(format!(
        "A fixed buffer keeps the memory of the small answers with the pages: at 4 KiB, \
         fetch-smol's own, {} with the pages against {} with 1 KiB bodies, where hyper's adaptive \
         buffer grows from {} to {}. What the size trades is memory for CPU, read by read: \
         with the pages, 2 KiB holds {} and takes {} of CPU; 4 KiB {} and {}; 8 KiB {} and {}; \
         16 KiB {} and {}; hyper's adaptive buffer {} and {}. fetch-smol keeps 4 KiB, the \
         lower memory; on this machine 8 KiB would read the pages in {} of its CPU for {} more \
         memory at N = {}.\n",
        mib(own_rss),
        mib(own_small_rss),
        mib(adaptive_small_rss),
        mib(adaptive_rss),
        mib(two_rss),
        s(two_cpu),
        mib(own_rss),
        s(own_cpu),
        mib(eight_rss),
        s(eight_cpu),
        mib(sixteen_rss),
        s(sixteen_cpu),
        mib(adaptive_rss),
        s(adaptive_cpu),
        percent(eight_cpu / own_cpu),
        mib(eight_rss - own_rss),
        group(n),
    ))
}

/// The ceiling.
pub fn at_ceiling(run: &Run) -> Claim {
    let c = &run.clients;
    let n = need(clients::ceiling(run), "the ceiling part")?;
    let loops = event_loops(run);
    let small = each(run, &format!("sweep-{n}"), &loops, wall)?;
    let pages = each(run, &format!("pages-{n}"), &loops, wall)?;
    let mut fewer = Vec::new();
    for m in &loops {
        let cell = need(c.cell(&format!("sweep-{n}"), m), "the cell")?;
        holds!(cell.trusted(), "{} did not complete every request", name(m));
        let at_once = need(cell.in_flight, "in flight")?;
        if at_once < n as f64 {
            fewer.push(format!(
                "{} {}",
                possessive(&name(m)),
                group(at_once as u64)
            ));
        }
    }
    let (fast, fast_wall) = least(&pages)?.clone();
    let (slow, slow_wall) = most(&pages)?.clone();
    let mut t = format!(
        "Every model on an event loop completes all {} requests with 1 KiB bodies, every one \
         ok, in {}, and with the talk's pages in {} ({} to {}).",
        group(n),
        span_of(&values(&small), "the loops", s)?,
        span(fast_wall, slow_wall, s),
        name(&fast),
        name(&slow),
    );
    if !fewer.is_empty() {
        t.push_str(&format!(
            " Not every one had all its requests in flight at the same moment ({} at the \
             most): the first requests ended before the last began, which is no limit of the \
             machine.",
            list(&fewer)
        ));
    }
    if let Some(cell) = c
        .cell(&format!("sweep-{n}"), "fetch-threads")
        .filter(|c| c.measured())
    {
        let at_once = need(cell.in_flight, "threads in flight")?;
        holds!(
            at_once < n as f64,
            "fetch-threads had every request in flight: the limit it used to meet is not met"
        );
        t.push_str(&format!(
            " fetch-threads is the one that meets a limit of the machine: {} allows {} of its \
             threads at once (it reads the limit and holds to it, and says so in its report), so \
             the other requests wait for a thread, and the run takes {} and {}.",
            crate::ceiling::Limits(run).max_map_count(),
            group(at_once as u64),
            s(need(cell.wall, "threads' wall")?),
            mib(need(cell.rss, "threads' memory")?),
        ));
    }
    let sockets: Vec<(String, f64)> = loops
        .iter()
        .filter_map(|m| {
            Some((
                m.to_string(),
                c.figure(&format!("pages-{n}"), m, |c| c.sockets)?,
            ))
        })
        .collect();
    if let Ok((most_name, most_sockets)) = most(&sockets).cloned() {
        t.push_str(&format!(
            " The kernel's socket buffers are in no process's RSS: with the pages they reach {} \
             for {} (pages waiting in their sockets' receive queues while the client catches up).",
            mib(most_sockets),
            name(&most_name)
        ));
    }
    t.push('\n');
    Ok(t)
}

/// The Python programs beside their Rust models.
pub fn python(run: &Run) -> Claim {
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
         each waits as well as its Rust model; past 1,000 they are bound by one core: the \
         interpreter runs one thread at a time, so at {} an event-loop program's wall time is \
         its CPU time. That is {} of CPU per request, {} the Rust model's that each is read \
         beside.",
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
             slow: the GIL serializes the starting threads, each of which ends a delay later, so \
             at most {} of its requests were in flight at once (fetch-threads: {}).",
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
        " On the six sites the Python programs take {} (the slowest site is {}): the same \
         floor as the Rust models.\n",
        span_of(&values(&sites), "the programs on the sites", s)?,
        s(slowest)
    ));
    Ok(t)
}

/// The targets: what is met, what is missed and why.
pub fn targets(run: &Run) -> Claim {
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
    t.push_str("Missed, and why:\n\n");
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
        t.push_str(&format!("- **{what}** ({}): {why}.\n", figures.join("; ")));
    }
    Ok(t)
}

/// The page's summary, each point a claim of its own.
pub fn reading(run: &Run) -> Claim {
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
         requests wait at once takes the slowest request's time, as in the talk: the six sites \
         within {} of the slowest site.\n\
         - **Threads are the talk's `threaded.py` at Rust's price:** within {} of async at \
         N = 1,000 ({} against {}), then the spawns take longer than the wait, and each request \
         costs several times the memory.\n\
         - **A data-parallel pool is the wrong tool for waiting:** rayon's threads block on \
         sockets and cannot steal work.\n\
         - **The async runtimes are alike in time; their HTTP clients differ in memory.** At \
         N = 2,000 the runtimes with a client of their own finish within {} of each other \
         ({}); per request they hold {}, most of it their clients' buffers per connection.\n\
         - **The floor is a reactor's.** Callbacks on one `epoll`, nothing kept per connection \
         but its parse state: {} per request in flight. What the runtimes add on top (tasks, \
         wakers, a client's buffers) is the rest of their cost.\n{}",
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
fn against_curl(run: &Run) -> Claim {
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
    holds!(
        pages_high <= curl_pages * 1.2 && small_high <= curl_jobs,
        "an async runtime spends more than curl's CPU"
    );
    Ok(format!(
        "- **The C reference is no cheaper.** On the same URLs the async runtimes spend {} \
         curl's CPU with the talk's pages and {} with the small answers of the jobs API, and \
         are not limited in how many requests wait at once.\n",
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
pub fn took(run: &Run) -> Claim {
    let took = need(run.settings["took_s"].as_f64(), "the run's duration")?;
    let waited = run.settings["time_wait_waited_s"]
        .as_f64()
        .unwrap_or(f64::NAN);
    Ok(format!(
        "The committed run took {} on its machine ({}), {:.0} s of it waiting for ports.\n",
        crate::pages::minutes(took),
        crate::pages::machine_line(run).trim_end(),
        waited,
    ))
}

/// MODELS.md's costs: what a request in flight holds, model by model.
pub fn costs(run: &Run) -> Claim {
    let (_, n) = sweep_top(run, "sweep")?;
    let top = format!("sweep-{n}");
    let all = run.clients.all_at_once();
    let per = each(run, &top, &all, pick::per_request)?;
    let mut t = format!(
        "Peak RSS per request in flight at N = {} with 1 KiB bodies, in the committed run \
         ([RESULTS.md](RESULTS.md) has every N and the heap profiles):\n\n\
         | model | per request in flight |\n|---|---:|\n",
        group(n)
    );
    for (m, v) in &per {
        t.push_str(&format!("| {} | {} |\n", name(m), kib(*v)));
    }
    let tasks: Vec<f64> = ["fetch-smol", "fetch-tokio", "fetch-async-std"]
        .iter()
        .filter_map(|m| {
            let workload = profile_workload(run, m, "sweep").ok()?;
            run.heap
                .iter()
                .filter(|r| r.get("model") == *m && r.get("workload") == workload)
                .filter(|r| r.get("site").contains("task"))
                .filter_map(|r| r.num("kib_per_request"))
                .reduce(f64::max)
        })
        .collect();
    if let Ok(tasks) = span_of(&tasks, "the tasks", |v| format!("{v:.1} KiB")) {
        t.push_str(&format!(
            "\nThe task itself is a small part of a runtime's cost: {tasks} of heap in the \
             profiles; the rest is the HTTP client's buffers for its connection.\n"
        ));
    }
    Ok(t)
}

#[cfg(test)]
mod tests;
