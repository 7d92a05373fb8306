//! The talks' two workloads: the six sites, the jobs API and the jobs API at scale.

use super::*;

/// The six sites.
pub fn sites(run: &Results) -> Claim {
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
         Every model that lets all six wait at once takes the slowest and {} more. That is {} \
         times the slowest, within the 1.02 times that the reactor, the green threads and compio \
         are held to.",
        s(sum),
        s(slowest),
        ms(sync - sum),
        span(low - slowest, high - slowest, ms),
        span(low / slowest, high / slowest, |r| format!("{r:.3}")),
    );
    if let Ok(curl) = trusted(run, "sites", CURL, wall) {
        t.push_str(&format!(
            " curl takes {} past the slowest. Its wall time is measured from outside the \
             process, its start included; the models' own clock starts in `main`.",
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
        " The smallest program{} {} ({}). The async runtimes with their HTTP clients hold {}.",
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
        " The talk's own concurrent programs took {} over the internet of 2014, its \
         synchronous one {}. It is the same shape, with a real network's noise in it.\n",
        span_of(&talk_concurrent, "the talk's runs", s)?,
        s(talk_sync.wall_s)
    ));
    t.push('\n');
    t.push_str(&rayon(run)?);
    Ok(t)
}

/// rayon's pool on the six sites: one thread takes them in a row, two take a half each, six or
/// more take them all at once; a pool between splits them in a way this claim does not predict.
fn rayon(run: &Results) -> Claim {
    let pool = need(
        run.parts.talks.as_ref().map(|p| p.rayon_pool),
        "the size of rayon's pool",
    )?;
    let cores = run.cores();
    let rayon = trusted(run, "sites", "fetch-rayon", wall)?;
    let scale = run.time_scale();
    let sites = origin::sites();
    let sum = |part: &[origin::Site]| -> f64 {
        part.iter().map(|s| s.latency.as_secs_f64() * scale).sum()
    };
    let threads = match pool {
        1 => "one thread".to_string(),
        n => format!("{n} threads"),
    };
    let on = match cores {
        1 => "one core".to_string(),
        n => format!("{n} cores"),
    };
    let (expected, how) = match pool {
        1 => (
            sum(sites),
            "so the six requests go one after another, as in fetch-sync".to_string(),
        ),
        2 => {
            let (first, second) = sites.split_at(sites.len() / 2);
            let (a, b) = (sum(first), sum(second));
            let names: Vec<String> = first.iter().map(|site| site.name.to_string()).collect();
            (
                a.max(b),
                format!(
                    "so the six requests go in two halves. rayon splits the list in the middle \
                     before any thread starts, one half per thread. A thread waiting on a socket \
                     cannot steal anything. The first half ({}) take {} in a row; the second \
                     half take {}",
                    list(&names),
                    s(a),
                    s(b)
                ),
            )
        }
        n if n as usize >= sites.len() => (
            sites
                .iter()
                .map(|site| site.latency.as_secs_f64() * scale)
                .fold(0.0, f64::max),
            "so every request has a thread, as in fetch-threads".to_string(),
        ),
        n => {
            return Err(Unsupported::Missing(format!(
                "a prediction of how rayon splits six requests among {n} threads"
            )));
        }
    };
    holds!(
        (rayon - expected).abs() <= expected * 0.03 + 0.02,
        "rayon took {}, not the {} its pool of {pool} predicts",
        s(rayon),
        s(expected)
    );
    Ok(format!(
        "rayon shows its pool: {threads} on {on}, {how}. It took {}. `--threads 6` gives it the \
         slowest site's time like the others ([fetch-rayon's tests](../crates/fetch-rayon/tests/pool.rs) \
         check both).\n",
        s(rayon),
    ))
}

/// The jobs API over the talk's 100 zip codes.
pub fn jobs(run: &Results) -> Claim {
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
         and {} more. That is {} faster than the talk's asyncio run ({}). The comparison flatters \
         them, since the talk waited on the real API. What it shows is that every model here \
         waits no longer than its server makes it.",
        group(total),
        s(sum),
        s(sync),
        s(slowest),
        span(low - slowest, high - slowest, ms),
        span(asyncio.wall_s / high, asyncio.wall_s / low, times),
        s(asyncio.wall_s),
    );
    t.push_str(&format!(
        " The memory compares better. A whole event-loop program in Rust, with its HTTP and TLS \
         stack, holds {}. The talk's Python with asyncio and aiohttp held {}",
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
        ". The CPU compares best: {} for the event loops, against the talk's {}",
        span_of(&values(&loop_cpu), "the loops' CPU", s)?,
        s(talk_cpu)
    ));
    if let Ok(here) = trusted(run, "jobs", "async.py", cpu) {
        t.push_str(&format!(" ({} here)", s(here)));
    }
    t.push_str(".\n");
    if let (Ok(rayon), Some(pool)) = (
        trusted(run, "jobs", "fetch-rayon", wall),
        run.parts.talks.as_ref().map(|p| p.rayon_pool.max(1)),
    ) {
        // Its pool's threads each wait out their share of the zip codes in turn.
        let share = sum / pool as f64;
        holds!(
            rayon < share * 1.2 && rayon > share * 0.8,
            "rayon took {} where the sum shared by its pool of {pool} is {}",
            s(rayon),
            s(share)
        );
        let (part, why) = match pool {
            1 => (
                "the whole sum".to_string(),
                "its one thread waits out every zip code in turn".to_string(),
            ),
            2 => (
                "about half the sum".to_string(),
                "its two threads each wait out half the zip codes in turn".to_string(),
            ),
            n => (
                format!("about 1/{n} of the sum"),
                format!("its {n} threads each wait out their share of the zip codes in turn"),
            ),
        };
        t.push_str(&format!("\nrayon takes {part} ({}): {why}.\n", s(rayon)));
    }
    Ok(t)
}

/// The jobs API at scale.
pub fn many_jobs(run: &Results) -> Claim {
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
         {}, {} past the slowest zip's latency. They spend {} of CPU and hold {}. The least CPU \
         is {}, {}",
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
            " curl spends {} the runtimes' CPU, {}, on the same {} small answers, without \
             parsing them. It takes {} in {}: past its {} at once, a request waits for a free \
             slot.",
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
