//! What SERVERS.md says about the figures: the talk's question answered from the run.

use super::*;
use rundata::Point;

/// A server's point at `c`, lived through every run, or why there is none.
fn point<'a>(run: &'a Run, server: &str, c: u64) -> Result<&'a Point, Unsupported> {
    let p = need(
        run.servers.point(server, c),
        format!("{} at C = {}", name(server), group(c)),
    )?;
    holds!(
        p.lived(),
        "{} died at C = {} in {} of {} runs",
        name(server),
        group(c),
        p.runs - p.alive,
        p.runs
    );
    Ok(p)
}

fn rps(p: &Point) -> String {
    group(p.rps.round() as u64)
}

fn us(v: f64) -> String {
    format!("{v:.0} µs")
}

fn kib_mib(kib: f64) -> String {
    mib(kib * 1024.0)
}

fn p_ms(v: f64) -> String {
    figures::format::ms(v)
}

/// The Rust servers' setups with one loop, and the largest C of the run below the ceiling.
fn top(run: &Run) -> Result<u64, Unsupported> {
    let cs = run.servers.connections();
    need(
        cs.iter().copied().filter(|c| *c <= 10_000).max(),
        "the servers at some thousands of connections",
    )
}

/// The largest C at which the thread per connection answers within 5% of the best server.
fn threads_hold(run: &Run) -> Result<(u64, u64), Unsupported> {
    let cs: Vec<u64> = run.servers.connections();
    let mut held = None;
    let mut broke = None;
    for c in cs {
        let threads = point(run, "serve-threads", c)?;
        let best = need(run.servers.ranked(c).into_iter().next(), "the best server")?;
        if threads.rps >= best.rps * 0.95 {
            if broke.is_none() {
                held = Some(c);
            }
        } else if broke.is_none() {
            broke = Some(c);
        }
    }
    Ok((
        need(held, "a C at which the thread per connection holds up")?,
        need(broke, "a C at which the thread per connection falls behind")?,
    ))
}

/// The short answer at the top of SERVERS.md.
pub fn servers_answer(run: &Run) -> Claim {
    let (held, broke) = threads_hold(run)?;
    let c = top(run)?;
    let threads = point(run, "serve-threads", c)?;
    let reactor = point(run, "serve-reactor", c)?;
    holds!(
        reactor.rps > threads.rps,
        "the reactor answers fewer requests than serve-threads at C = {}",
        group(c)
    );
    let at = if run.servers.point("serve-threads", 5000).is_some() {
        5000
    } else {
        broke
    };
    let threads_cpu = point(run, "serve-threads", at)?.cpu_us();
    let loops: Vec<f64> = [
        "serve-tokio",
        "serve-reactor",
        "serve-green",
        "serve-compio",
    ]
    .iter()
    .filter_map(|s| {
        run.servers
            .point(s, at)
            .filter(|p| p.lived())
            .map(Point::cpu_us)
    })
    .collect();
    let (_, loop_high) = need(extremes(&loops), "the loops' CPU")?;
    holds!(
        threads_cpu > loop_high,
        "a thread per connection does not cost more CPU per request than the loops at C = {}",
        group(at)
    );
    Ok(format!(
        "**The short answer, on this machine:** up to {} connections threading holds up as \
         well as any event loop (serve-threads within 5% of the best server there); from {} \
         it falls behind, not because a thread is refused or memory runs out but because every \
         request costs its thread two wake-ups, {} of CPU at C = {} where the event loops spend \
         {}, and the cores run out. At {} connections the reactor answers {} as many requests as \
         serve-threads, in {} instead of {} (plus {} of kernel stacks that RSS does not show). \
         What an event loop costs instead is a core: a single-threaded loop queues each wave of \
         simultaneous requests behind one thread. The figures and the reasoning are below.\n",
        group(held),
        group(broke),
        us(threads_cpu),
        group(at),
        span_of(&loops, "the loops", us)?,
        group(c),
        times(reactor.rps / threads.rps),
        kib_mib(reactor.peak_rss_kib),
        kib_mib(threads.peak_rss_kib),
        kib_mib(threads.kernel_stack_kib),
    ))
}

/// The thread per connection, C by C.
pub fn servers_threads(run: &Run) -> Claim {
    let (held, broke) = threads_hold(run)?;
    let at_held = point(run, "serve-threads", held)?;
    let tokio_held = point(run, "serve-tokio", held)?;
    let smol_held = point(run, "serve-smol", held)?;
    let c = top(run)?;
    let threads = point(run, "serve-threads", c)?;
    holds!(
        threads.refused == 0.0 && threads.accepted >= c as f64,
        "serve-threads refused connections at C = {}",
        group(c)
    );
    let at_broke = point(run, "serve-threads", broke)?;
    let tokio = point(run, "serve-tokio", broke)?;
    let green = point(run, "serve-green", broke)?;
    let reactor = point(run, "serve-reactor", broke)?;
    holds!(
        at_held.peak_rss_kib <= 1.5 * tokio_held.peak_rss_kib.max(smol_held.peak_rss_kib),
        "serve-threads holds far more memory than tokio and smol at C = {}",
        group(held)
    );
    holds!(
        at_broke.listen_overflows == 0.0,
        "serve-threads' accept queue overflowed at C = {}: the listen backlog is in it",
        group(broke)
    );
    let cores = run.cores();
    let busy = (at_broke.server_cpu_s + at_broke.load_cpu_s) / (at_broke.seconds * cores);
    holds!(
        busy > 0.9,
        "at C = {} serve-threads and the load generator used {} of the cores, not all",
        group(broke),
        percent(busy)
    );
    Ok(format!(
        "**Where threading holds up.** Up to {} connections serve-threads is within 5% of the \
         best server: {} requests/s at {}, {} of the ideal, p99 {}. A sleeping thread costs \
         nothing until the kernel wakes it, and it is woken the moment its wait is up. Its \
         memory is not the problem either: {} of RSS for {} connections, against tokio's {} and \
         smol's {}; a thread's stack is address space first ({} of virtual memory), of which \
         only the touched pages become resident. What RSS leaves out is the kernel's share: a \
         kernel stack per thread, {} at {} connections.\n\n\
         **Where it breaks, and why.** From {} connections serve-threads answers {} of the \
         ideal ({} requests/s at {}, p99 {}). It completes every run: every connection \
         accepted, none refused, no thread the OS would not start. It is not the memory, nor \
         the listen backlog (no connection found the accept queue full). It is the CPU: each request wakes its connection's thread twice, \
         once when the request arrives and once when the wait ends, and each wake-up is a \
         switch between threads: {} of CPU per request at {} connections, where tokio spends \
         {}, the green hub {} and the reactor {}. The server and the load generator together \
         use all of the cores' time there ({} of it, as measured), so requests per second is what the cores can pay \
         for, and a thread per connection pays the most per request.{}\n",
        group(held),
        rps(at_held),
        group(held),
        percent(at_held.of_ideal()),
        p_ms(at_held.p99_ms),
        kib_mib(at_held.peak_rss_kib),
        group(held),
        kib_mib(tokio_held.peak_rss_kib),
        kib_mib(smol_held.peak_rss_kib),
        kib_mib(at_held.vm_peak_kib),
        kib_mib(at_held.kernel_stack_kib),
        group(held),
        group(broke),
        percent(at_broke.of_ideal()),
        rps(at_broke),
        group(broke),
        p_ms(at_broke.p99_ms),
        us(at_broke.cpu_us()),
        group(broke),
        us(tokio.cpu_us()),
        us(green.cpu_us()),
        us(reactor.cpu_us()),
        percent(busy),
        backlog_later(run, broke),
    ))
}

/// Where, past the C at which it falls behind, serve-threads' accept loop could not keep up
/// either: connections that found its accept queue full while the event loops' did not.
fn backlog_later(run: &Run, from: u64) -> String {
    let s = &run.servers;
    let later = s
        .connections()
        .into_iter()
        .filter(|&c| c > from)
        .find(|&c| {
            s.point("serve-threads", c)
                .is_some_and(|p| p.listen_overflows > 0.0)
                && ["serve-tokio", "serve-reactor", "serve-green"]
                    .iter()
                    .all(|l| s.point(l, c).is_some_and(|p| p.listen_overflows == 0.0))
        });
    match later.and_then(|c| Some((c, s.point("serve-threads", c)?))) {
        Some((c, p)) => format!(
            " From {} connections its accept loop falls behind too, starting a thread for each \
             connection: {} connections found its accept queue full and waited to connect \
             again, where the event loops' queues never filled.",
            group(c),
            group(p.listen_overflows as u64)
        ),
        None => String::new(),
    }
}

/// The servers' targets: what is met, and what is missed.
pub fn servers_targets(run: &Run) -> Claim {
    let outcomes = tables::servers::outcomes(run);
    let measured: Vec<_> = outcomes.iter().filter(|o| o.met.is_some()).collect();
    if measured.is_empty() {
        return Err(Unsupported::Missing("any target's figures".into()));
    }
    let missed: Vec<_> = measured.iter().filter(|o| o.met == Some(false)).collect();
    let mut t = format!(
        "Met: {} of the {} targets measured.",
        measured.len() - missed.len(),
        measured.len()
    );
    if !missed.is_empty() {
        t.push_str(" Missed:\n\n");
        let mut targets: Vec<&str> = Vec::new();
        for o in &missed {
            if !targets.contains(&o.what.as_str()) {
                targets.push(&o.what);
            }
        }
        for what in targets {
            let these: Vec<String> = missed
                .iter()
                .filter(|o| o.what == what)
                .map(|o| {
                    format!(
                        "{} {} against {}",
                        name(&o.server),
                        o.figure.clone().unwrap_or_default(),
                        o.limit
                    )
                })
                .collect();
            t.push_str(&format!("- **{what}**: {}.\n", these.join("; ")));
        }
        t.push('\n');
    }
    // A run ends with a request in flight on every connection, which the load generator does
    // not count: the shorter the run, the larger that share of the ideal.
    if let Some(seconds) = run.part("servers")["seconds"]["1000"].as_f64() {
        let ideal = 1000.0 / rundata::WAIT_S;
        t.push_str(&format!(
            "A run at C = 1,000 lasts {seconds:.0} s and ends with a request in flight on each \
             connection, which the load generator does not count: {} of the ideal is lost that \
             way alone. ",
            percent(1000.0 / (ideal * seconds))
        ));
    }
    if let Some(best) = run.servers.ranked(5000).first() {
        let share = best.load_cpu_s / (best.seconds * run.cores());
        t.push_str(&format!(
            "In the best server's runs at C = 5,000 ({}), the load generator took {} of the \
             cores' time: every figure from some thousands of connections on is a server given \
             what wrk leaves it.",
            name(&best.server),
            percent(share)
        ));
    }
    t.push('\n');
    Ok(t)
}

/// The hostile clients.
pub fn hostile(run: &Run) -> Claim {
    let idle = with(&run.hostile, "case", "idle");
    if idle.is_empty() {
        return Err(Unsupported::Missing("the hostile clients' part".into()));
    }
    let dead: Vec<String> = run
        .hostile
        .iter()
        .filter(|r| r.get("alive") != "true" || r.num("new_client_ms").is_none())
        .map(|r| format!("{} ({})", name(r.get("server")), r.get("case")))
        .collect();
    holds!(
        dead.is_empty(),
        "{} did not live through it, or answered no new client",
        list(&dead)
    );
    let n = idle[0].num("connections").unwrap_or(0.0);
    let waits: Vec<f64> = idle
        .iter()
        .filter(|r| r.get("server") != "serve-threads")
        .filter_map(|r| r.num("new_client_ms"))
        .collect();
    let per: Vec<(String, f64)> = idle
        .iter()
        .filter_map(|r| {
            Some((
                r.get("server").to_string(),
                r.num("rss_per_connection_kib")?,
            ))
        })
        .collect();
    let (low_name, low) = least(&per)?.clone();
    let (high_name, high) = most(&per)?.clone();
    holds!(
        high <= 16.0,
        "{} holds {:.1} KiB per idle connection, past the 16 KiB target",
        name(&high_name),
        high
    );
    let mut t = format!(
        "Every server lives through every case and answers a new client: within {} beside {} \
         idle connections",
        span_of(&waits, "the new clients", |v| format!("{v:.1} ms"))?,
        group(n as u64),
    );
    if let Some(threads) = idle.iter().find(|r| r.get("server") == "serve-threads") {
        let closed = threads.num("closed_idle").unwrap_or(0.0);
        let wait = threads.num("new_client_ms").unwrap_or(f64::NAN);
        let (_, others) = need(extremes(&waits), "the new clients")?;
        let how = if wait > others * 2.0 {
            format!(
                ", except serve-threads, which takes {wait:.1} ms because its new client first \
                 needs a thread"
            )
        } else {
            format!(", serve-threads in {wait:.1} ms")
        };
        t.push_str(&format!(
            "{how}: serve-threads starts no more threads than the machine's mappings allow ({} \
             at once), and closed the {} connections that had been idle longest to make room",
            group(threads.num("threads").unwrap_or(0.0) as u64),
            group(closed as u64),
        ));
    }
    t.push_str(&format!(
        ". An idle connection holds from {:.1} KiB of RSS ({}) to {:.1} KiB ({}); every server \
         is under the 16 KiB set as the target.",
        low,
        name(&low_name),
        high,
        name(&high_name)
    ));
    let slab: f64 = ["TCP", "sock_inode_cache", "filp", "dentry"]
        .iter()
        .filter_map(|s| with(&run.slabs, "slab", s).first()?.num("object_bytes"))
        .sum();
    if slab > 0.0 {
        t.push_str(&format!(
            " The sockets themselves take about {:.1} KiB each in the kernel's slabs, outside \
             any RSS (the `TCP` socket, its inode, its file and its dentry, from \
             `/proc/slabinfo`).",
            slab / 1024.0
        ));
    }
    let reading = with(&run.hostile, "case", "not-reading");
    let rss: Vec<f64> = reading.iter().filter_map(|r| r.num("rss_kib")).collect();
    let sockets: Vec<f64> = reading
        .iter()
        .filter_map(|r| r.num("socket_mem_kib"))
        .collect();
    if let (Some(first), Ok(rss), Ok(sockets)) = (
        reading.first(),
        span_of(&rss, "rss", kib_mib),
        span_of(&sockets, "sockets", kib_mib),
    ) {
        t.push_str(&format!(
            "\n\n{} clients that never read cost each server {rss} of RSS. What they cost the \
             machine is elsewhere: {sockets} of kernel memory in socket buffers, the answers \
             queued by the server's sends and unread in the clients' receive queues, both ends \
             being on this machine. The kernel bounds that (`net.ipv4.tcp_mem`), not the server.",
            group(first.num("connections").unwrap_or(0.0) as u64),
        ));
    }
    let starved = with(&run.hostile, "case", "no-descriptors");
    let cpu: Vec<f64> = starved
        .iter()
        .filter_map(|r| r.num("cpu_s_per_s"))
        .map(|v| v * 1000.0)
        .collect();
    if let Ok(cpu) = span_of(&cpu, "cpu", |v| format!("{v:.0} ms")) {
        t.push_str(&format!(
            " Without descriptors, every server pauses between tries and spends {cpu} of CPU a \
             second, and answers again once the connections are gone."
        ));
    }
    t.push('\n');
    Ok(t)
}

/// The servers at the run's most connections.
pub fn servers_ceiling(run: &Run) -> Claim {
    let c = need(run.servers.connections().last().copied(), "the servers")?;
    holds!(c > 10_000, "the run did not go past 10,000 connections");
    let loops: Vec<&Point> = run
        .servers
        .points
        .iter()
        .filter(|p| {
            p.connections == c && p.server.starts_with("serve-") && p.server != "serve-threads"
        })
        .collect();
    let dead: Vec<String> = loops
        .iter()
        .filter(|p| !p.lived())
        .map(|p| name(&p.server))
        .collect();
    holds!(dead.is_empty(), "{} died at C = {}", list(&dead), group(c));
    let clean: Vec<&&Point> = loops
        .iter()
        .filter(|p| p.errors == 0.0 && p.timeouts == 0.0)
        .collect();
    let rates: Vec<f64> = clean.iter().map(|p| p.rps).collect();
    let best = need(
        loops.iter().max_by(|a, b| a.rps.total_cmp(&b.rps)),
        "the best",
    )?;
    let mut t = format!(
        "At {} connections every server stays up. {} of the event-loop setups serve every \
         connection with no error, at {} requests/s; the most is {}'s. The ideal, {} a second, \
         is far past what the cores can answer, so these are what the CPU pays for.",
        group(c),
        clean.len(),
        span_of(&rates, "the loops", |v| group(v.round() as u64))?,
        name(&best.server),
        group((c as f64 / rundata::WAIT_S) as u64),
    );
    if let Ok(threads) = point(run, "serve-threads", c) {
        t.push_str(&format!(
            " serve-threads meets its own limit first: with {} threads, a connection past them \
             takes the thread of one idle between two of the load generator's requests, which \
             connects again, and it serves {} requests/s with {} errors and a p99 of {}: alive, \
             and still behind every loop.",
            group(threads.peak_threads as u64),
            rps(threads),
            group((threads.errors + threads.timeouts) as u64),
            p_ms(threads.p99_ms),
        ));
    }
    t.push('\n');
    Ok(t)
}

/// System calls per request.
pub fn syscalls(run: &Run) -> Claim {
    let total = |server: &str| -> Result<f64, Unsupported> {
        let (requests, calls) = calls_of(run, server);
        if requests.is_nan() || requests <= 0.0 {
            return Err(Unsupported::Missing(format!(
                "{}'s system calls",
                name(server)
            )));
        }
        Ok(calls.iter().map(|(_, n, _)| n).sum())
    };
    let reactor = total("serve-reactor")?;
    let tokio = total("serve-tokio")?;
    let compio = total("serve-compio")?;
    holds!(
        compio < tokio && compio < reactor,
        "compio makes no fewer calls than the readiness servers"
    );
    let (_, calls) = calls_of(run, "serve-compio");
    let enter = need(
        calls
            .iter()
            .find(|(call, _, _)| call == "io_uring_enter")
            .map(|(_, n, _)| *n),
        "compio's io_uring_enter",
    )?;
    let (_, reactor_calls) = calls_of(run, "serve-reactor");
    let (recv, recv_failing) = need(
        reactor_calls
            .iter()
            .find(|(call, _, _)| call == "recvfrom")
            .map(|(_, n, e)| (*n, *e)),
        "the reactor's recvfrom",
    )?;
    Ok(format!(
        "Counted alike for every server (every call of every thread, over the requests answered): \
         serve-compio makes {compio:.2} system calls per request, {enter:.2} of them \
         `io_uring_enter`, which submits and reaps the operations of about {:.0} requests at \
         once; serve-tokio {tokio:.2}; serve-reactor {reactor:.2}, of which {recv:.2} \
         `recvfrom` ({recv_failing:.2} of them `EAGAIN`: the read that ends a request's bytes, \
         and the one when reading resumes after its answer). The kernel still does the work of \
         each operation; what completion saves is the crossings, the `EAGAIN` reads and the \
         readiness round trip, which is why the CPU per request falls by less than the calls \
         do.\n",
        1.0 / enter,
    ))
}

/// The Python servers beside the Rust ones.
pub fn python_servers(run: &Run) -> Claim {
    let s = &run.servers;
    let python: Vec<&catalogue::Python> = catalogue::PYTHON_SERVERS
        .iter()
        .filter(|p| s.point(p.name, 100).is_some())
        .collect();
    if python.is_empty() {
        return Err(Unsupported::Missing("the Python servers".into()));
    }
    let near: Vec<f64> = python
        .iter()
        .filter_map(|p| s.point(p.name, 100).map(Point::of_ideal))
        .collect();
    let (near_low, _) = need(extremes(&near), "the Python servers at 100")?;
    holds!(
        near_low >= 0.7,
        "a Python server is below 70% of the ideal at C = 100"
    );
    let ratios: Vec<f64> = python
        .iter()
        .filter_map(|p| {
            let py = s.point(p.name, 100)?;
            let rust = s.point(p.beside, 100)?;
            Some(py.cpu_us() / rust.cpu_us())
        })
        .collect();
    let at_1000: Vec<(String, f64)> = python
        .iter()
        .filter_map(|p| Some((p.name.to_string(), s.point(p.name, 1000)?.rps)))
        .collect();
    let (worst, worst_rps) = least(&at_1000)?.clone();
    let (best, best_rps) = most(&at_1000)?.clone();
    // The thread per connection at 1,000: its tail against the loops'.
    let threads_1000 = need(
        s.point("serve_threads.py", 1000),
        "serve_threads.py at 1,000",
    )?;
    let loop_p99: Vec<f64> = python
        .iter()
        .filter(|p| p.name != "serve_threads.py")
        .filter_map(|p| s.point(p.name, 1000).map(|pt| pt.p99_ms))
        .collect();
    let (_, loop_p99_high) = need(extremes(&loop_p99), "the Python loops' p99")?;
    holds!(
        threads_1000.p99_ms > loop_p99_high,
        "serve_threads.py's p99 at C = 1,000 is no longer than every Python loop's"
    );
    let busy: Vec<f64> = python
        .iter()
        .filter_map(|p| {
            let pt = s.point(p.name, 1000)?;
            Some(pt.server_cpu_s / pt.seconds)
        })
        .collect();
    let (busy_low, _) = need(extremes(&busy), "the Python servers' CPU")?;
    holds!(
        busy_low >= 0.75,
        "a Python server used only {} of a core at C = 1,000",
        percent(busy_low)
    );
    let mut t = format!(
        "**In Python the answer comes sooner, and it is the same.** Up to 100 connections \
         every Python server answers most of the ideal ({} of it), at {} the Rust servers' CPU per \
         request. At 1,000 connections every one of them is out of CPU, one core's worth \
         ({} of a core each), since the GIL lets one thread run Python at a time: from {} \
         requests/s (`{}`) to {} (`{}`) against the ideal's {}. There the thread per connection \
         has by far the longest tail, a p99 of {} where the loops' is {}: its threads wait their \
         turn for the lock.",
        span_of(&near, "near", percent)?,
        span_of(&ratios, "ratios", times)?,
        span_of(&busy, "busy", percent)?,
        group(worst_rps.round() as u64),
        worst,
        group(best_rps.round() as u64),
        best,
        group((1000.0 / rundata::WAIT_S) as u64),
        p_ms(threads_1000.p99_ms),
        span_of(&loop_p99, "the loops' p99", p_ms)?,
    );
    if let Some(threads) = s.point("serve_threads.py", 10_000) {
        let accepted = threads.accepted;
        holds!(
            accepted + 1.0 < 10_000.0,
            "serve_threads.py took every connection at C = 10,000"
        );
        t.push_str(&format!(
            " Past that the thread per connection cannot even take its connections: at 10,000 it \
             accepted {} of them, with never more than {} threads (its accept loop is Python \
             too, and waits its turn for the lock), and answered {} requests/s.",
            group(accepted as u64),
            group(threads.peak_threads as u64),
            rps(threads),
        ));
    }
    t.push_str(
        " So a yielding approach does work better than threading in Python, from fewer \
         connections than in Rust, and what decides between the Python loops is how much Python \
         each request runs.\n",
    );
    Ok(t)
}

/// The talk's question, answered.
pub fn yielding(run: &Run) -> Claim {
    let (_, broke) = threads_hold(run)?;
    let c = top(run)?;
    let threads = point(run, "serve-threads", c)?;
    let best = need(run.servers.ranked(c).into_iter().next(), "the best server")?;
    let reactor = point(run, "serve-reactor", c)?;
    let green = point(run, "serve-green", c)?;
    let tokio = point(run, "serve-tokio", c)?;
    let at_1000 = 1000;
    let reactor_1000 = point(run, "serve-reactor", at_1000)?;
    let tokio_1000 = point(run, "serve-tokio", at_1000)?;
    let reactor_2 = point(run, "serve-reactor --threads 2", at_1000).ok();
    holds!(
        reactor_1000.p50_ms > tokio_1000.p50_ms,
        "the single reactor's median is no longer than tokio's at C = {}",
        group(at_1000)
    );
    let mut t = format!(
        "**What an event loop costs instead.** A single loop serves every connection on one \
         thread, so it can use one core and no more. Below that ceiling the price is latency: \
         at {} connections the timers of the requests fire in waves (they all started \
         together), and one thread answers each wave one request after another, so the last of \
         a wave waits longer than the first: the reactor's p50 of {} and p99 of {} against \
         tokio's {} and {}.",
        group(at_1000),
        p_ms(reactor_1000.p50_ms),
        p_ms(reactor_1000.p99_ms),
        p_ms(tokio_1000.p50_ms),
        p_ms(tokio_1000.p99_ms),
    );
    if let Some(r2) = reactor_2 {
        t.push_str(&format!(
            " A loop per core (`--threads 2`, as tokio has by default) halves the waves: p50 {} \
             and {} of the ideal.",
            p_ms(r2.p50_ms),
            percent(r2.of_ideal())
        ));
    }
    t.push_str(&format!(
        " Where the cores are the limit, the loops win by spending less per request: at {} \
         connections the reactor answers {} requests/s in {}, the green hub {} in {} and tokio \
         {} in {}.\n\n",
        group(c),
        rps(reactor),
        kib_mib(reactor.peak_rss_kib),
        rps(green),
        kib_mib(green.peak_rss_kib),
        rps(tokio),
        kib_mib(tokio.peak_rss_kib),
    ));
    holds!(
        best.rps > threads.rps * 1.2,
        "the best server at C = {} answers less than 1.2 times serve-threads",
        group(c)
    );
    t.push_str(&format!(
        "**So: does a yielding approach work better than threading?** For a server whose \
         requests mostly wait, yes, once there are more connections than the machine has cores \
         to wake threads on: on this machine from {} connections, where at {} the best server \
         ({}) answers {} the requests of a thread per connection, with {} of its p99 latency, \
         in {} of its memory. Below that, threads are as fast and simpler to write; serve-green \
         shows that the two need not be a choice of style: the same blocking code, run on green \
         threads, serves {} connections at the event loops' cost. In Python, the language the \
         talk asked about, the answer is the same and comes sooner: there the GIL makes one core \
         the limit.\n",
        group(broke),
        group(c),
        name(&best.server),
        times(best.rps / threads.rps),
        percent(best.p99_ms / threads.p99_ms),
        percent(best.peak_rss_kib / threads.peak_rss_kib),
        group(c),
    ));
    Ok(t)
}
