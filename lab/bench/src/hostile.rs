//! The hostile part: every server tried as a hostile client would try it, at this machine's
//! scale: 19,000 connections that connect and say nothing, 1,000 clients that pipeline requests
//! for big answers and never read them, and a thousand connections arriving while the server
//! has no descriptor left. For each, whether the server is still alive, how long a new client
//! waits for an answer, and what the server holds: its RSS, the kernel's socket memory
//! (`/proc/net/sockstat`), its threads, and the connections it closed or refused. Beside them,
//! the sizes of the kernel's objects a socket costs outside any RSS (`/proc/slabinfo`).
//!
//! The same cases run at a small scale in every server's tests (`harness::server_tests!`);
//! this is their figures. Writes `hostile/hostile.csv` (a row per server and case, written as
//! each ends) and `hostile/slab.csv`.

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use catalogue::SERVERS;
use procs::hostile::{self, Probe, Probed};
use procs::{Server, figures};
use runfiles::{Case, HostileRow, HostileSettings, SlabRow, Writer};
use serde_json::Value;

use benchkit::context::{Context, Planned, interrupted};

/// The kernel's objects a TCP socket takes, in `/proc/slabinfo`.
const SLABS: [&str; 5] = ["TCP", "sock_inode_cache", "filp", "dentry", "eventpoll_epi"];

/// What the hostile part will run.
#[derive(Debug)]
pub struct Plan {
    servers: Vec<&'static str>,
    /// Idle connections; clients pipelining without reading; connections arriving with no
    /// descriptor left.
    idle: usize,
    pipelining: usize,
    arriving: usize,
    /// The pauses between a case's steps, scaled down in `--quick`.
    pause: f64,
}

pub fn plan(ctx: &Context) -> anyhow::Result<Planned<Plan>> {
    let servers: Vec<&'static str> = SERVERS
        .iter()
        .map(|s| s.name)
        .filter(|name| ctx.args.servers.is_empty() || ctx.args.servers.iter().any(|s| s == name))
        .collect();
    if servers.is_empty() {
        bail!("no such server: {:?}", ctx.args.servers);
    }
    let (idle, pipelining, arriving, pause) = if ctx.quick() {
        (500, 50, 300, 0.2)
    } else {
        (19_000, 1_000, 1_000, 1.0)
    };
    Ok(Planned::Ready(Plan {
        servers,
        idle,
        pipelining,
        arriving,
        pause,
    }))
}

/// How one case is made: the server started, the clients sent, the figures read.
type Trial = fn(&Plan, &str, &str, Ipv4Addr) -> anyhow::Result<Row>;

impl Plan {
    fn cases(&self) -> [(Trial, usize, f64); 3] {
        [
            (idle, self.idle, 3.0 + self.idle as f64 / 10_000.0),
            (not_reading, self.pipelining, 4.0),
            (no_descriptors, self.arriving, 6.0),
        ]
    }

    pub fn expected(&self) -> Duration {
        let per_server: f64 = self
            .cases()
            .iter()
            .map(|(_, _, s)| s * self.pause + 0.5)
            .sum();
        Duration::from_secs_f64(per_server * self.servers.len() as f64)
    }

    pub fn measure(self, ctx: &mut Context) -> anyhow::Result<HostileSettings> {
        let mut csv = Writer::create(&ctx.out, runfiles::HOSTILE)?;
        'servers: for server in &self.servers {
            let bin = ctx.args.bin_dir.join(server);
            let bin = bin.to_str().context("a UTF-8 path")?.to_string();
            for (case, n, seconds) in self.cases() {
                if interrupted() {
                    break 'servers;
                }
                let host = ctx.addresses.fresh(n as u64);
                let what = format!("hostile · {server}");
                ctx.progress.start(&what);
                let row = case(&self, &bin, server, host)?;
                let probes = row.probed.map_or(String::new(), |p| {
                    format!(
                        ", {} probes ({} unanswered), the slowest in {}",
                        p.probes,
                        p.unanswered,
                        p.slowest.map_or("none".into(), |s| format!(
                            "{:.0} ms",
                            s.as_secs_f64() * 1e3
                        ))
                    )
                });
                let said = format!(
                    "{}: alive {}, a new client answered in {}, RSS {} KiB ({:.1} KiB a \
                     connection), sockets {} KiB{probes}",
                    row.case,
                    row.alive,
                    row.new_client_ms
                        .map_or("never".into(), |ms| format!("{ms:.1} ms")),
                    row.rss_kib,
                    row.rss_per_connection_kib,
                    row.socket_mem_kib
                );
                ctx.progress.finish(
                    &what,
                    Duration::from_secs_f64(seconds * self.pause + 0.5),
                    &said,
                );
                csv.row(&row.file_row())?;
            }
        }
        let slabs = write_slabs(&ctx.out);
        Ok(HostileSettings {
            idle: self.idle as u64,
            pipelining: self.pipelining as u64,
            pipelined_requests: PIPELINED as u64,
            pipelined_size: PIPELINED_SIZE as u64,
            arriving: self.arriving as u64,
            descriptor_limit: DESCRIPTORS,
            pause_scale: self.pause,
            slabinfo: slabs,
        })
    }
}

/// Requests each pipelining client sends, and the size of each answer.
const PIPELINED: usize = 1000;
const PIPELINED_SIZE: usize = 65536;
/// The descriptors the server is allowed in the descriptor case.
const DESCRIPTORS: u64 = 256;

/// The object sizes of [`SLABS`] from `/proc/slabinfo` (readable by root only), as
/// `slab.csv`; whether it could be read.
fn write_slabs(run: &std::path::Path) -> bool {
    let Ok(text) = std::fs::read_to_string("/proc/slabinfo") else {
        return false;
    };
    let rows: Vec<SlabRow> = text
        .lines()
        .filter_map(
            |line| match line.split_whitespace().collect::<Vec<_>>()[..] {
                [name, _active, _objects, size, ..] if SLABS.contains(&name) => Some(SlabRow {
                    slab: name.to_string(),
                    object_bytes: size.parse().ok()?,
                }),
                _ => None,
            },
        )
        .collect();
    runfiles::write(run, runfiles::SLABS, &rows).is_ok()
}

/// One case's figures.
#[derive(Debug, Default)]
struct Row {
    server: String,
    case: Case,
    connections: usize,
    alive: bool,
    /// How long a new client waited for its answer; `None` when it got none.
    new_client_ms: Option<f64>,
    rss_kib: u64,
    /// The RSS the connections added, per connection.
    rss_per_connection_kib: f64,
    socket_mem_kib: u64,
    threads: u64,
    closed_idle: u64,
    refused: u64,
    /// CPU the server used per second of the case (the descriptor case).
    cpu_s_per_s: Option<f64>,
    /// The new clients that asked every second during the case (the not-reading case).
    probed: Option<Probed>,
}

impl Row {
    /// As `hostile.csv` keeps it, each figure to the precision it was measured to.
    fn file_row(&self) -> HostileRow {
        let round = |v: f64, scale: f64| (v * scale).round() / scale;
        HostileRow {
            server: self.server.clone(),
            case: self.case,
            connections: self.connections as u64,
            alive: self.alive,
            new_client_ms: self.new_client_ms.map(|v| round(v, 1e3)),
            rss_kib: self.rss_kib,
            rss_per_connection_kib: round(self.rss_per_connection_kib, 1e2),
            socket_mem_kib: self.socket_mem_kib,
            threads: self.threads,
            closed_idle: self.closed_idle,
            refused: self.refused,
            cpu_s_per_s: self.cpu_s_per_s.map(|v| round(v, 1e3)),
            probes: self.probed.map(|p| p.probes as u64),
            probes_unanswered: self.probed.map(|p| p.unanswered as u64),
            probe_slowest_ms: self
                .probed
                .and_then(|p| p.slowest)
                .map(|s| round(s.as_secs_f64() * 1000.0, 1e3)),
        }
    }
}

/// Sleeps `seconds` of the plan's pace.
fn pause(plan: &Plan, seconds: f64) {
    std::thread::sleep(Duration::from_secs_f64(seconds * plan.pause));
}

/// `n` connections that connect and send nothing, then a new client.
fn idle(plan: &Plan, bin: &str, name: &str, host: Ipv4Addr) -> anyhow::Result<Row> {
    let n = plan.idle;
    let host = host.to_string();
    let mut server = Server::start(bin, &["--header-timeout", "60", "--host", &host]);
    let base = settle(&server);
    let connections: Vec<TcpStream> = (0..n)
        .filter_map(|_| TcpStream::connect(server.addr()).ok())
        .collect();
    pause(plan, 2.0);
    let row = figures_of(&mut server, name, Case::Idle, connections.len(), base);
    drop(connections);
    Ok(row)
}

/// `n` clients each pipelining requests for 64 KiB answers without reading any, and a new
/// client every second (of the plan's pace) from before the first of them to the end.
fn not_reading(plan: &Plan, bin: &str, name: &str, host: Ipv4Addr) -> anyhow::Result<Row> {
    let n = plan.pipelining;
    let host = host.to_string();
    let mut server = Server::start(bin, &["--header-timeout", "60", "--host", &host]);
    let base = settle(&server);
    let probe = Probe::every(server.addr(), Duration::from_secs_f64(plan.pause));
    let connections = hostile::pipeline_without_reading(
        server.addr(),
        n,
        PIPELINED,
        &format!("/work?ms=0&size={PIPELINED_SIZE}"),
        Duration::from_millis(200),
    );
    pause(plan, 3.0);
    let probed = Probed::of(&probe.stop());
    let mut row = figures_of(&mut server, name, Case::NotReading, connections.len(), base);
    row.probed = Some(probed);
    drop(connections);
    Ok(row)
}

/// A server allowed [`DESCRIPTORS`] descriptors, and `n` connections arriving: the CPU it
/// spends while it cannot accept them, then a new client once they are gone.
fn no_descriptors(plan: &Plan, bin: &str, name: &str, host: Ipv4Addr) -> anyhow::Result<Row> {
    let n = plan.arriving;
    let mut command = Command::new(bin);
    // The connections it does accept end at --header-timeout, 2 s (in --quick, 1 s).
    let timeout = if plan.pause < 1.0 { "1" } else { "2" };
    command.args(["--header-timeout", timeout, "--host", &host.to_string()]);
    procs::limit_descriptors(&mut command, DESCRIPTORS);
    let mut server = Server::start_command(&mut command);
    let base = settle(&server);
    let connections: Vec<TcpStream> = (0..n)
        .filter_map(|_| TcpStream::connect(server.addr()).ok())
        .collect();
    pause(plan, 0.5);
    let before = figures::cpu_seconds(server.pid()).unwrap_or(0.0);
    let watched = 2.0 * plan.pause;
    pause(plan, 2.0);
    let cpu = (figures::cpu_seconds(server.pid()).unwrap_or(0.0) - before) / watched;
    drop(connections);
    // Past the header timeout, the connections it accepted are gone.
    let timeout_s: f64 = timeout.parse().unwrap_or(2.0);
    std::thread::sleep(Duration::from_secs_f64(timeout_s + 0.5 + plan.pause / 2.0));
    let mut row = figures_of(&mut server, name, Case::NoDescriptors, n, base);
    row.cpu_s_per_s = Some(cpu);
    Ok(row)
}

/// The server's RSS once it has answered a first request, before the case.
fn settle(server: &Server) -> u64 {
    let _ = new_client(server.addr());
    figures::rss_kib(server.pid()).unwrap_or(0)
}

/// The server's figures now, and how long a new client waits for its answer.
fn figures_of(server: &mut Server, name: &str, case: Case, n: usize, base: u64) -> Row {
    let pid = server.pid();
    let rss_kib = figures::rss_kib(pid).unwrap_or(0);
    let threads = figures::status_field(pid, "Threads:").unwrap_or(0);
    let socket_mem_kib = figures::socket_memory_kib().unwrap_or(0);
    let new_client_ms = new_client(server.addr());
    let alive = server.is_running();
    let stats = if alive {
        server.stats_when_it_answers()
    } else {
        Value::Null
    };
    let count = |key: &str| stats[key].as_u64().unwrap_or(0);
    Row {
        server: name.to_string(),
        case,
        connections: n,
        alive,
        new_client_ms,
        rss_kib,
        rss_per_connection_kib: rss_kib.saturating_sub(base) as f64 / n.max(1) as f64,
        socket_mem_kib,
        threads,
        closed_idle: count("closed_idle"),
        refused: count("refused"),
        cpu_s_per_s: None,
        probed: None,
    }
}

/// How long a new client waits for the answer to `GET /work?ms=1` (at most 10 s).
fn new_client(addr: SocketAddr) -> Option<f64> {
    let start = Instant::now();
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    procs::send(&mut stream, "/work?ms=1&size=10");
    let answer = procs::read_answer(&mut stream)?;
    (answer.status == 200).then(|| start.elapsed().as_secs_f64() * 1000.0)
}
