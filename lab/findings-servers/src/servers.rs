//! What SERVERS.md says about the figures: the talk's question answered from the run.

use super::*;
use rundata::{Point, Servers};
use runfiles::Setup;

/// A server's point at `c`, lived through every run, or why there is none.
fn point<'a>(run: &'a Results, server: &str, c: u64) -> Result<&'a Point, Unsupported> {
    lived(&run.servers, "", server, c)
}

/// A server's point at `c` among `servers` (those of the mode named by `mode`, as the reason
/// says it), lived through every run, or why there is none.
pub(crate) fn lived<'a>(
    servers: &'a Servers,
    mode: &str,
    server: &str,
    c: u64,
) -> Result<&'a Point, Unsupported> {
    let p = need(
        servers.point(server, c),
        format!("{}{mode} at C = {}", name(server), group(c)),
    )?;
    holds!(
        p.lived(),
        "{} died{mode} at C = {} in {} of {} runs",
        name(server),
        group(c),
        p.runs - p.alive,
        p.runs
    );
    Ok(p)
}

pub(crate) fn rps(p: &Point) -> String {
    group(p.rps.round() as u64)
}

fn us(v: f64) -> String {
    format!("{v:.0} µs")
}

pub(crate) fn kib_mib(kib: f64) -> String {
    mib(kib * 1024.0)
}

pub(crate) fn p_ms(v: f64) -> String {
    figures::format::ms(v)
}

/// The Rust servers' setups with one loop, and the largest C of the run below the ceiling.
fn top(run: &Results) -> Result<u64, Unsupported> {
    let cs = run.servers.connections();
    need(
        cs.iter().copied().filter(|c| *c <= 10_000).max(),
        "the servers at some thousands of connections",
    )
}

/// The largest C at which the thread per connection answers within 5% of the best server.
fn threads_hold(run: &Results) -> Result<(u64, u64), Unsupported> {
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
pub fn servers_answer(run: &Results) -> Claim {
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
    // Every server on an event loop, a runtime's or its own, with its defaults.
    let loops: Vec<f64> = catalogue::SERVERS
        .iter()
        .filter(|s| s.family.is_event_loop())
        .filter_map(|s| {
            run.servers
                .point(s.name, at)
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
        "**The short answer, on this machine:** up to {} connections, threading holds up as \
         well as any event loop. serve-threads is within 5% of the best server there. From {} \
         it falls behind. No thread is refused and memory does not run out. Every request costs \
         its thread two wake-ups, and the cores run out: {} of CPU at C = {}, where the event \
         loops spend {}. At {} connections the reactor answers {} as many requests as \
         serve-threads. It holds {} instead of {}, plus {} of kernel stacks that RSS does not \
         show. What an event loop costs instead is a core: a single-threaded loop queues each \
         wave of simultaneous requests behind one thread. The figures and the reasoning are \
         below.\n",
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
pub fn servers_threads(run: &Results) -> Claim {
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
    let cores = f64::from(run.cores());
    let busy = (at_broke.server_cpu_s + at_broke.load_cpu_s) / (at_broke.seconds * cores);
    holds!(
        busy > 0.85,
        "at C = {} serve-threads and the load generator used {} of the cores, not all",
        group(broke),
        percent(busy)
    );
    Ok(format!(
        "**Where threading holds up.** Up to {} connections serve-threads is within 5% of the \
         best server: {} requests/s at {}, {} of the ideal, p99 {}. A sleeping thread costs \
         nothing until the kernel wakes it, and it is woken the moment its wait is up. Its \
         memory is not the problem either: {} of RSS for {} connections. tokio holds {} and \
         smol {}. A thread's stack is address space first ({} of virtual memory); only the \
         touched pages become resident. What RSS leaves out is the kernel's share: a kernel \
         stack per thread, {} at {} connections.\n\n\
         **Where it breaks, and why.** From {} connections serve-threads answers {} of the \
         ideal ({} requests/s at {}, p99 {}). It completes every run: every connection \
         accepted, none refused, no thread the OS would not start. It is not the memory, nor \
         the listen backlog: no connection found the accept queue full. It is the CPU. Each \
         request wakes its connection's thread twice: when the request arrives, and when the \
         wait ends. Each wake-up is a switch between threads. That costs {} of CPU per request \
         at {} connections, where tokio spends {}, the green hub {} and the reactor {}. The \
         server and the load generator together use {} of the cores' time there, as measured. \
         So requests per second is what the cores can pay for, and a thread per connection \
         pays the most per request.{}\n",
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
fn backlog_later(run: &Results, from: u64) -> String {
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
             connection. {} connections found its accept queue full and waited to connect \
             again. The event loops' queues never filled.",
            group(c),
            group(p.listen_overflows as u64)
        ),
        None => String::new(),
    }
}

/// The servers' targets: what is met, and what is missed.
pub fn servers_targets(run: &Results) -> Claim {
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
    if let Some(&seconds) = run
        .parts
        .servers
        .as_ref()
        .and_then(|p| p.seconds.get(&1000))
    {
        let ideal = 1000.0 / rundata::WAIT_S;
        t.push_str(&format!(
            "A run at C = 1,000 lasts {seconds:.0} s and ends with a request in flight on each \
             connection. The load generator does not count those: {} of the ideal is lost that \
             way alone. ",
            percent(1000.0 / (ideal * seconds))
        ));
    }
    if let Some(best) = run.servers.ranked(5000).first() {
        let share = best.load_cpu_s / (best.seconds * f64::from(run.cores()));
        t.push_str(&format!(
            "In the best server's runs at C = 5,000 ({}), the load generator took {} of the \
             cores' time. From some thousands of connections on, a server gets what wrk leaves \
             it.",
            name(&best.server),
            percent(share)
        ));
    }
    t.push('\n');
    Ok(t)
}

/// The servers at the run's most connections.
pub fn servers_ceiling(run: &Results) -> Claim {
    let c = need(run.servers.connections().last().copied(), "the servers")?;
    holds!(c > 10_000, "the run did not go past 10,000 connections");
    let loops: Vec<&Point> = run
        .servers
        .points
        .iter()
        .filter(|p| p.connections == c && p.setup.is_rust() && p.setup.server != "serve-threads")
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
            " serve-threads meets its own limit first, at {} threads. A connection past them \
             takes the thread of one idle between two requests, and that one connects again. \
             It serves {} requests/s with {} errors and a p99 of {}: alive, and still behind \
             every loop.",
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
pub fn syscalls(run: &Results) -> Claim {
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
        "Every call of every thread is counted, over the requests answered. serve-compio makes \
         {compio:.2} system calls per request, {enter:.2} of them `io_uring_enter`. Each of \
         those submits and reaps the operations of about {:.0} requests at once. serve-tokio \
         makes {tokio:.2}. serve-reactor makes {reactor:.2}, of which {recv:.2} are `recvfrom`. \
         {recv_failing:.2} of those return `EAGAIN`: the read that ends a request's bytes, and \
         the one when reading resumes after its answer. The kernel still does the work of each \
         operation. What completion saves is the crossings, the `EAGAIN` reads and the \
         readiness round trip. That is why the CPU per request falls by less than the calls \
         do.\n",
        1.0 / enter,
    ))
}

/// The talk's question, answered.
pub fn yielding(run: &Results) -> Claim {
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
    // The reactor with a loop per core, as the servers part ran it where there are cores.
    let cores = run.cores();
    let per_core = run
        .servers
        .at(&Setup::new("serve-reactor", Some(cores)), at_1000)
        .filter(|p| p.lived());
    let mut t = if reactor_1000.p50_ms > tokio_1000.p50_ms * 1.02 {
        format!(
            "**What an event loop costs instead.** A single loop serves every connection on one \
             thread, so it can use one core and no more. Below that ceiling the price is \
             latency. At {} connections the requests' timers fire in waves, since they all \
             started together. One thread answers each wave one request after another, so the \
             last of a wave waits longer than the first. The reactor's p50 is {} and its p99 {}, \
             against tokio's {} and {}.",
            group(at_1000),
            p_ms(reactor_1000.p50_ms),
            p_ms(reactor_1000.p99_ms),
            p_ms(tokio_1000.p50_ms),
            p_ms(tokio_1000.p99_ms),
        )
    } else {
        format!(
            "**What an event loop costs instead.** A single loop serves every connection on one \
             thread, so it can use one core and no more. At {} connections that core is not yet \
             the limit. The requests all started together, so their timers fire in waves, and \
             the loop answers each wave one request after another. But a request costs it so \
             little that the reactor's p50 of {} and p99 of {} are within 2% of tokio's {} and \
             {}, or below them.",
            group(at_1000),
            p_ms(reactor_1000.p50_ms),
            p_ms(reactor_1000.p99_ms),
            p_ms(tokio_1000.p50_ms),
            p_ms(tokio_1000.p99_ms),
        )
    };
    match per_core {
        Some(r) => t.push_str(&format!(
            " A loop per core (`--threads {cores}`, as tokio has by default) splits each wave \
             {cores} ways: p50 {} and {} of the ideal.",
            p_ms(r.p50_ms),
            percent(r.of_ideal())
        )),
        None if cores == 1 => {
            t.push_str(" This machine has one core, so no server ran a loop per core to compare.")
        }
        None => t.push_str(&format!(
            " The reactor with a loop per core (`--threads {cores}`) was not measured at {} \
             connections.",
            group(at_1000)
        )),
    }
    t.push_str(&format!(
        " Where the cores are the limit, the loops win by spending less per request. At {} \
         connections the reactor answers {} requests/s in {}, the green hub {} in {}, and tokio \
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
         requests mostly wait, yes: once there are more connections than the cores can wake \
         threads for. On this machine that is from {} connections. At {} the best server ({}) \
         answers {} the requests of a thread per connection. It does so with {} of its p99 \
         latency, in {} of its memory. Below that, threads are as fast and simpler to write. \
         And serve-green shows that the two need not be a choice of style. The same blocking \
         code, run on green threads, serves {} connections at the event loops' cost. In \
         Python, the language the talk asked about, the answer is the same and comes sooner: \
         there the GIL makes one core the limit.\n",
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
