//! The top of every page made from the run: the machine it ran on, the limits read from it, the
//! code and how the run was made, stated once; and how the page's own part was measured.

use std::fmt::Write as _;

use figures::format::group;

use figures::prose::list;
use rundata::Results;

/// Which page's settings the setup states besides the machine's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Clients,
    Servers,
    Waits,
}

/// One line: the machine the run was made on.
pub fn machine_line(run: &Results) -> String {
    let m = &run.machine;
    format!(
        "{} ({}), {:.1} GiB of memory, {}, Linux {}\n",
        figures::prose::cores(m.cores),
        m.cpu,
        m.memory_bytes as f64 / f64::from(1 << 30),
        m.os,
        m.kernel,
    )
}

/// The top of a page: the machine, its limits, the code and the run, stated once, and how this
/// page's part of the run was measured.
/// The reference rows' interpreters where they ran: `, Python 3.11.7, Node 20.20.2, Chromium
/// 148.0.7778.167`.
fn interpreters(m: &runfiles::Machine) -> String {
    let python = m.python.clone();
    let node = m
        .node
        .as_ref()
        .map(|v| format!("Node {}", v.trim_start_matches('v')));
    // Debian's says where it was built, too.
    let chromium = m
        .chromium
        .as_ref()
        .map(|v| v.split(" built").next().unwrap_or(v).to_string());
    [python, node, chromium]
        .into_iter()
        .flatten()
        .map(|v| format!(", {v}"))
        .collect()
}

pub fn setup(run: &Results, side: Side) -> String {
    let m = &run.machine;
    let s = &run.settings;
    let l = &m.limits;
    let limit = |value: Option<u64>| value.map_or("?".into(), group);
    let ports = match l.ephemeral_ports {
        Some((low, high)) => format!("{}–{} ({} ports)", low, high, limit(l.ephemeral_port_count)),
        None => "?".into(),
    };
    let mut t = format!(
        "| setting | value |\n|---|---|\n\
         | machine | {} |\n\
         | tools | {}{} |\n\
         | limits, as read | open files {} (hard {}) · `kernel.pid_max` {} · \
         `vm.max_map_count` {} · ephemeral ports {ports} · `net.core.somaxconn` {} · io_uring {} |\n\
         | code | commit `{}`{}, release build, run on {} |\n\
         | command | `{}`: {} in all, {:.0} s of it waiting for ports in TIME_WAIT{} |\n",
        machine_line(run).trim_end(),
        m.rustc,
        interpreters(m),
        limit(Some(l.open_files_soft)),
        limit(Some(l.open_files_hard)),
        limit(l.pid_max),
        limit(l.max_map_count),
        limit(l.somaxconn),
        if l.io_uring {
            "available"
        } else {
            "not available"
        },
        m.commit,
        if m.clean {
            ""
        } else {
            " (with uncommitted changes)"
        },
        m.date,
        s.command,
        minutes(s.took_s),
        s.time_wait_waited_s,
        if s.interrupted {
            "; interrupted before its end"
        } else {
            ""
        },
    );
    match side {
        Side::Clients => {
            let Some(p) = run.parts.clients() else {
                return t;
            };
            let _ = writeln!(
                t,
                "| clients | a process per run, against an origin of its own: the origin crate's \
                 release binary, 2 worker threads, on a loopback address no other run used |\n\
                 | repeats | each Rust figure, and curl's, the median of {} interleaved runs |\n\
                 | once only | a run predicted past {}, which a repeat would not change; the talks' \
                 own programs, in Python and JavaScript (the reference, not the subject) |\n\
                 | skipped | a run predicted past {} |",
                p.repeats,
                seconds(p.once_over_s),
                seconds(p.budget_s),
            );
        }
        Side::Waits => {
            let Some(p) = &run.parts.waits else {
                return t;
            };
            let ns: Vec<String> = p.ns.iter().map(|&n| group(n)).collect();
            let _ = writeln!(
                t,
                "| waiters | a process per program, once at each N ({}); each waiter waits {} s \
                 on a timer, no socket |\n\
                 | green threads | also with {} KiB stacks |\n\
                 | memory | the process's `VmHWM` as it ends; a waiter's share is what lies above \
                 the process just before its first waiter, its runtime started |",
                ns.join(", "),
                p.wait_s,
                p.small_stack_kib,
            );
        }
        Side::Servers => {
            let Some(p) = &run.parts.servers else {
                return t;
            };
            let command = match p.load.as_str() {
                "wrk" => format!(
                    "`wrk -t{} -cC -dT --timeout {}s --latency`",
                    p.load_threads, p.timeout_s
                ),
                _ => format!("`oha -c C -z T -t {}s`", p.timeout_s),
            };
            let seconds = per_connections(&p.seconds, |t| format!("{t} s"));
            let _ = writeln!(
                t,
                "| servers | {command} against `{}`, on the same machine; a fresh server for every \
                 run, on a loopback address of its own |\n\
                 | T | {} connections: a short run would be mostly its first connections |\n\
                 | repeats | each Rust figure the median of {} interleaved runs; one run past {} \
                 connections (the ceiling), and for each Python server |",
                p.target,
                list(&seconds),
                p.repeats,
                group(p.once_from),
            );
            if let Some(pinned) = p.pinned.ran() {
                let cs: Vec<String> = pinned.connections.iter().map(|&c| group(c)).collect();
                let _ = writeln!(
                    t,
                    "| pinned | every Rust server with its defaults under `taskset -c {}`, `{}` \
                     under `taskset -c {}`, at {} connections; the median of {} interleaved \
                     runs |",
                    pinned.server_core,
                    match pinned.load.as_str() {
                        "wrk" => "wrk -t1",
                        _ => "oha",
                    },
                    pinned.load_core,
                    list(&cs),
                    pinned.repeats,
                );
            }
            if let Some(rates) = p.rates.ran() {
                let of = per_connections(&rates.of_rps, |rps| {
                    format!("{}/s", group(rps.round() as u64))
                });
                let shares: Vec<String> = rates
                    .shares
                    .iter()
                    .map(|v| format!("{:.0}%", 100.0 * v))
                    .collect();
                let seconds = per_connections(&rates.seconds, |t| format!("{t} s"));
                let _ = writeln!(
                    t,
                    "| fixed rates | `oha -c C -q RATE --latency-correction -z T -t 5s` ({}), \
                     unpinned: each latency measured from when its request was due |\n\
                     | rates | {} of the Rust servers' best closed-loop rate ({}) |\n\
                     | T, fixed rates | {}; every server with its defaults, the Python ones \
                     too, one run each |",
                    rates.load_version.as_deref().unwrap_or("oha"),
                    list(&shares),
                    list(&of),
                    list(&seconds),
                );
            }
        }
    }
    t
}

/// A setting given per number of connections, in the order of C: each value as `write`
/// writes it, then `at C`.
fn per_connections(
    values: &runfiles::PerConnections,
    write: impl Fn(f64) -> String,
) -> Vec<String> {
    values
        .iter()
        .map(|(c, v)| format!("{} at {}", write(*v), group(*c)))
        .collect()
}

/// A setting in seconds: whole where it is whole (a budget of `45 s`), else as a sentence
/// writes a figure.
fn seconds(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0} s")
    } else {
        figures::prose::s(value)
    }
}

/// `42 minutes`, or `1 h 05 min`.
pub fn minutes(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "?".into();
    }
    let m = (seconds / 60.0).round() as u64;
    if m >= 60 {
        format!("{} h {:02} min", m / 60, m % 60)
    } else {
        format!("{m} minutes")
    }
}
