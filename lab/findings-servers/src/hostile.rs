//! What SERVERS.md says of the hostile clients: idle connections by the thousand, clients
//! that pipeline without reading, half-close, or trickle a head, and what a fresh client meets.

use super::*;
use crate::servers::kib_mib;
use runfiles::{Case, HostileRow};

/// The hostile clients.
pub fn hostile(run: &Results) -> Claim {
    let idle = run.hostile_case(Case::Idle);
    if idle.is_empty() {
        return Err(Unsupported::Missing("the hostile clients' part".into()));
    }
    let dead: Vec<String> = run
        .hostile
        .iter()
        .filter(|r| !r.alive || r.new_client_ms.is_none())
        .map(|r| format!("{} ({})", name(&r.server), r.case))
        .collect();
    holds!(
        dead.is_empty(),
        "{} did not live through it, or answered no new client",
        list(&dead)
    );
    let n = idle[0].connections as f64;
    let waits: Vec<f64> = idle
        .iter()
        .filter(|r| r.server != "serve-threads")
        .filter_map(|r| r.new_client_ms)
        .collect();
    let per: Vec<(String, f64)> = idle
        .iter()
        .map(|r| (r.server.clone(), r.rss_per_connection_kib))
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
        "Every server lives through every case and answers a new client. Beside {1} idle \
         connections, the new client waits {0}",
        span_of(&waits, "the new clients", |v| format!("{v:.1} ms"))?,
        group(n as u64),
    );
    if let Some(threads) = idle.iter().find(|r| r.server == "serve-threads") {
        let closed = threads.closed_idle;
        let wait = threads.new_client_ms.unwrap_or(f64::NAN);
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
            "{how}. serve-threads starts no more threads than the machine's mappings allow ({} \
             at once). It closed the {} connections that had been idle longest to make room",
            group(threads.threads),
            group(closed),
        ));
    }
    t.push_str(&format!(
        ". An idle connection holds from {:.1} KiB of RSS ({}) to {:.1} KiB ({}). Every server \
         is under the 16 KiB set as the target.",
        low,
        name(&low_name),
        high,
        name(&high_name)
    ));
    let slab: f64 = ["TCP", "sock_inode_cache", "filp", "dentry"]
        .iter()
        .filter_map(|s| run.slabs.iter().find(|r| r.slab == *s))
        .map(|r| r.object_bytes as f64)
        .sum();
    if slab > 0.0 {
        t.push_str(&format!(
            " The sockets themselves take about {:.1} KiB each in the kernel's slabs, outside \
             any RSS. That is the `TCP` socket, its inode, its file and its dentry, from \
             `/proc/slabinfo`.",
            slab / 1024.0
        ));
    }
    let reading = run.hostile_case(Case::NotReading);
    let rss: Vec<f64> = reading.iter().map(|r| r.rss_kib as f64).collect();
    let sockets: Vec<f64> = reading.iter().map(|r| r.socket_mem_kib as f64).collect();
    if let (Some(first), Ok(rss), Ok(sockets)) = (
        reading.first(),
        span_of(&rss, "rss", kib_mib),
        span_of(&sockets, "sockets", kib_mib),
    ) {
        t.push_str(&format!(
            "\n\n{} clients that never read cost each server {rss} of RSS. What they cost the \
             machine is elsewhere: {sockets} of kernel memory in socket buffers. Those hold the \
             answers the server sent and the clients never read, both ends being on this \
             machine. The kernel bounds that (`net.ipv4.tcp_mem`), not the server.",
            group(first.connections),
        ));
    }
    t.push_str(&probes(&reading));
    let starved = run.hostile_case(Case::NoDescriptors);
    let cpu: Vec<f64> = starved
        .iter()
        .filter_map(|r| r.cpu_s_per_s)
        .map(|v| v * 1000.0)
        .collect();
    if let Ok(cpu) = span_of(&cpu, "cpu", |v| format!("{v:.0} ms")) {
        t.push_str(&format!(
            " Without descriptors, every server pauses between tries and spends {cpu} of CPU a \
             second. Each answers again once the connections are gone."
        ));
    }
    t.push('\n');
    Ok(t)
}

/// What the fresh client probing through the never-reading flood met, server by server.
fn probes(reading: &[&HostileRow]) -> String {
    let probed: Vec<(&str, f64, f64, f64)> = reading
        .iter()
        .filter_map(|r| {
            Some((
                r.server.as_str(),
                r.probes? as f64,
                r.probes_unanswered? as f64,
                r.probe_slowest_ms?,
            ))
        })
        .collect();
    let Some(slowest) = probed.iter().max_by(|a, b| a.3.total_cmp(&b.3)) else {
        return String::new();
    };
    let late: Vec<String> = probed
        .iter()
        .filter(|(_, _, unanswered, ms)| *unanswered > 0.0 || *ms > 1000.0)
        .map(|(server, probes, unanswered, ms)| {
            if *unanswered > 0.0 {
                format!(
                    "{} left {} of {} unanswered",
                    name(server),
                    group(*unanswered as u64),
                    group(*probes as u64),
                )
            } else {
                format!(
                    "{} answered all {}, the slowest after {}",
                    name(server),
                    group(*probes as u64),
                    figures::format::ms(*ms)
                )
            }
        })
        .collect();
    if late.is_empty() {
        format!(
            " Meanwhile a fresh client asked for a small answer again and again, from before \
             the flood to its end. Every server answered every probe within a second; the \
             slowest took {} ({}).",
            figures::format::ms(slowest.3),
            name(slowest.0),
        )
    } else {
        format!(
            " Meanwhile a fresh client asked for a small answer again and again, from before \
             the flood to its end. Not every server answered each probe within a second. {}.",
            findings::claim::capital(&list(&late))
        )
    }
}
