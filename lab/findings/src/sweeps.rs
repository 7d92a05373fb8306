//! The sweeps: 1 to 10,000 endpoints, the connections alone, memory per request, the talk's pages,
//! fetch-smol's read buffer and the machine's ceiling.

use super::*;

/// The 1 KiB sweep.
pub fn sweep(run: &Results) -> Claim {
    let c = &run.clients;
    let (delay, n) = sweep_top(run, "sweep")?;
    let top = format!("sweep-{n}");
    let budget = run.parts.sweeps.as_ref().map_or(f64::NAN, |p| p.budget_s);
    let skipped: Vec<String> = c
        .rust()
        .iter()
        .filter(|m| {
            c.cell("sweep-1000", m)
                .is_some_and(|cell| cell.status == runfiles::Status::Skipped)
        })
        .map(|m| name(m))
        .collect();
    let mut t = String::new();
    if !skipped.is_empty() {
        t.push_str(&format!(
            "{} grow linearly with N and are skipped past the budget of {:.0} s. Their wall \
             time would be N times the delay, or N over the pool's {}. The talk's question, \
             \"change from 6 end points to 600?\", has its answer here. ",
            list(&skipped),
            budget,
            match run.parts.clients().map_or(0, |p| p.rayon_pool) {
                1 => "one thread".to_string(),
                n => format!("{n} threads"),
            }
        ));
    }
    let waiting: Vec<&str> = c
        .all_at_once()
        .into_iter()
        .filter(|m| family(m) != Some(Family::Threads))
        .collect();
    let walls = each(run, &top, &waiting, wall)?;
    // A model whose first requests ended before its last began had fewer in flight at once.
    let mut fewer = Vec::new();
    for m in &waiting {
        let cell = need(c.cell(&top, m), "the cell")?;
        let at_once = need(cell.in_flight, "its requests in flight")?;
        holds!(
            at_once >= n as f64 * 0.5,
            "{} had only {} of {} in flight at once",
            name(m),
            group(at_once as u64),
            group(n)
        );
        if at_once < n as f64 {
            fewer.push(format!(
                "{} {}",
                possessive(&name(m)),
                group(at_once as u64)
            ));
        }
    }
    let (fast, _) = least(&walls)?.clone();
    t.push_str(&format!(
        "Every model on an event loop completes {} requests at once, every one ok, in {}. \
         The fastest is {}. The delay is {}; the rest is opening, serving and closing the \
         connections, on the cores the origin shares with the client. What the connections \
         alone cost is below.",
        group(n),
        span_of(&values(&walls), "the loops' wall", s)?,
        name(&fast),
        s(delay),
    ));
    if !fewer.is_empty() {
        t.push_str(&format!(
            " Not every one had all of them in flight at once ({} at the most). Opening them \
             took so long that the first ended before the last began.",
            list(&fewer)
        ));
    }
    // Connections that found the origin's accept queue full wait for their handshake to be
    // sent again: the run then measures the listen backlog, not the model.
    let overflowed: Vec<String> = waiting
        .iter()
        .filter_map(|m| {
            let n = c.cell(&top, m)?.listen_overflows.filter(|n| *n > 0.0)?;
            Some(format!(
                "{} ({} in its median run)",
                name(m),
                group(n as u64)
            ))
        })
        .collect();
    if !overflowed.is_empty() {
        let backlog = run.limits().somaxconn.map_or("?".into(), group);
        t.push_str(&format!(
            " The connections of {} overflowed the origin's listen queue, the longest the \
             machine allows (`net.core.somaxconn`, {backlog}). A connection that finds the queue \
             full waits a second or more to try again. Such a run measures the backlog more than \
             the model.",
            list(&overflowed),
        ));
    }
    if let (Ok(threads_wall), Ok(at_once)) = (
        trusted(run, &top, "fetch-threads", wall),
        trusted(run, &top, "fetch-threads", in_flight),
    ) {
        let (fast, slow) = need(extremes(&values(&walls)), "the loops")?;
        let standing = if threads_wall > slow {
            "slower than every event loop"
        } else if threads_wall >= fast {
            "within the event loops' span"
        } else {
            "faster than every event loop"
        };
        let why = if (at_once as u64) < n {
            format!(
                "starting {} threads takes longer than the delay. The first requests end before \
                 the last threads start ({} in flight at once at the most)",
                group(n),
                group(at_once as u64)
            )
        } else {
            format!("all {} were in flight at once", group(n))
        };
        t.push_str(&format!(
            " Threads complete too, in {}, {standing}. Why: {why}.",
            s(threads_wall),
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
            " curl runs at most {} transfers at once, so it takes a delay per {} endpoints: {} \
             for {}.",
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
pub fn burst(run: &Results) -> Claim {
    let c = &run.clients;
    let n = need(c.ns("burst").last().copied(), "the run with no delay")?;
    let delay = need(
        run.parts.sweeps.as_ref().map(|p| p.sweep_delay_s),
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
        "With no delay at all, {} requests at once take {}. That is the time to open, serve \
         and close {} loopback connections, client and origin sharing the cores. With the delay \
         of {}, {} take the delay and {} more. With no delay they take {}. So the time past the \
         delay measures the machine's connections, not the models' waiting.",
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
pub fn memory_per_request(run: &Results) -> Claim {
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
        "The event-loop models hold their cost per request steady from 1,000 to {}. It is a \
         price per connection, not an overhead that grows. The reactor holds the least, {} per \
         request in flight. That is {} smaller than the nearest async runtime with a client of \
         its own ({}). The green threads hold {}, mostly the stack pages a request touches.",
        group(n),
        kib(floor_per),
        times(rt_low / floor_per),
        span_of(&values(&rt), "the runtimes", kib_of)?,
        kib(green),
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
            " A thread per request costs {} at N = {}. That is its stack's touched pages, its \
             share of the allocator's arenas, and the blocking client's buffers.",
            kib(threads),
            group(2000.min(n))
        ));
    }
    t.push('\n');
    Ok(t)
}

/// The talk's page sizes.
pub fn pages(run: &Results) -> Claim {
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
        "Pages of the talk's sizes instead of 1 KiB change the time little at N = {}. The \
         event loops take {} ({} with 1 KiB). At N = {}, {} arrive within a few seconds, and \
         CPU starts to count. The loops take from {} ({}) to {} ({}).",
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
        same.push(name(m));
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
        "\n\nFor memory, the page size changes nothing where the read buffer has a fixed size. \
         Those models ({}) hold as much per request at N = {} as with 1 KiB bodies. Each \
         counts a chunk as it arrives and drops it. tokio holds {} per request, {} in all, \
         against {} with 1 KiB bodies. The pages are not what it keeps. It is hyper's adaptive \
         read buffer, which starts at 8 KiB and doubles each time a read fills it. With a big \
         page streaming in over loopback, it grows to the page's size. hyper lets a client fix \
         the size (`read_buf_exact_size`, as fetch-smol does) or cap it (`max_buf_size`). \
         reqwest exposes neither.",
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
pub fn read_buffer(run: &Results) -> Claim {
    let n = need(
        run.parts.read_buffer.as_ref().map(|p| p.read_buffer_n),
        "the read-buffer part",
    )?;
    let (pages_workload, small_workload) = (format!("pages-{n}"), format!("sweep-{n}"));
    let pages = run.clients.read_buffers(&pages_workload);
    let small = run.clients.read_buffers(&small_workload);
    let find = |cells: &[&CellSummary], variant: &str| -> Result<(f64, f64), Unsupported> {
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
    let (adaptive_rss, _) = find(&pages, "=adaptive")?;
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
        eight_rss > own_rss,
        "8 KiB does not hold more memory than 4 KiB"
    );
    holds!(
        sixteen_rss > own_rss && sixteen_cpu < own_cpu,
        "16 KiB does not spend memory to save CPU against 4 KiB"
    );
    // 8 KiB sits between: on some runs it saves CPU, on others the runs' spread hides it.
    let eight = if eight_cpu < own_cpu {
        format!(
            "on this machine 8 KiB would read the pages in {} of its CPU for {} more memory",
            percent(eight_cpu / own_cpu),
            mib(eight_rss - own_rss),
        )
    } else {
        format!(
            "on this run 8 KiB took no less CPU ({} against {}) for {} more memory",
            s(eight_cpu),
            s(own_cpu),
            mib(eight_rss - own_rss),
        )
    };
    Ok(format!(
        "A fixed buffer keeps the memory of the small answers with the pages. At 4 KiB, \
         fetch-smol's own, it holds {} with the pages and {} with 1 KiB bodies. hyper's \
         adaptive buffer grows from {} to {}. Each size trades memory for CPU, read by read: \
         2 KiB holds less and takes more CPU, 16 KiB the other way round. fetch-smol keeps \
         4 KiB, the lower memory. {} at N = {}.\n",
        mib(own_rss),
        mib(own_small_rss),
        mib(adaptive_small_rss),
        mib(adaptive_rss),
        crate::claim::capital(&eight),
        group(n),
    ))
}

/// The ceiling.
pub fn at_ceiling(run: &Results) -> Claim {
    let c = &run.clients;
    let n = need(clients::ceiling(run), "the ceiling part")?;
    let loops = event_loops(run);
    let small = each(run, &format!("sweep-{n}"), &loops, wall)?;
    // With the pages, a model may lose requests to its timeout at this scale: said as such.
    let mut pages = Vec::new();
    let mut lost = Vec::new();
    for m in &loops {
        let cell = need(
            c.cell(&format!("pages-{n}"), m),
            format!("{} with the pages", name(m)),
        )?;
        match (cell.trusted(), cell.wall) {
            (true, Some(w)) => pages.push((m.to_string(), w)),
            _ => lost.push(format!(
                "{} lost {} of them ({})",
                name(m),
                group(cell.failed.unwrap_or(0)),
                cell.note
            )),
        }
    }
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
         ok, in {}. With the talk's pages, {} complete them in {} ({} to {}).",
        group(n),
        span_of(&values(&small), "the loops", s)?,
        if lost.is_empty() {
            "they all".to_string()
        } else {
            list(&pages.iter().map(|(m, _)| name(m)).collect::<Vec<_>>())
        },
        span(fast_wall, slow_wall, s),
        name(&fast),
        name(&slow),
    );
    if !lost.is_empty() {
        t.push_str(&format!(
            " The machine's cores could not keep up with every page in time: {}.",
            list(&lost)
        ));
    }
    if !fewer.is_empty() {
        t.push_str(&format!(
            " Not every one had all its requests in flight at once ({} at the most). The first \
             requests ended before the last began, which is no limit of the machine.",
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
            " fetch-threads is the one that meets a limit of the machine. {} allows {} of its \
             threads at once; it reads the limit, holds to it, and says so in its report. The \
             other requests wait for a thread, and the run takes {} and {}.",
            tables::ceiling::Limits(run).max_map_count(),
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
            " The kernel's socket buffers are in no process's RSS. With the pages they reach {} \
             for {}: pages wait in the sockets' receive queues while the client catches up.",
            mib(most_sockets),
            name(&most_name)
        ));
    }
    t.push('\n');
    Ok(t)
}
