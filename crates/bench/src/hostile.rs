//! Every server tried as a hostile client would try it, at this machine's scale: 19,000
//! connections that connect and say nothing, 1,000 clients that pipeline requests for big
//! answers and never read them, and a thousand connections arriving while the server has no
//! descriptor left. For each, whether the server is still alive, how long a new client waits
//! for an answer, and what the server holds: its RSS, the kernel's socket memory
//! (`/proc/net/sockstat`), its threads, and the connections it closed or refused.
//!
//! The same cases run at a small scale in every server's tests (`harness::server_tests!`);
//! this is their figures. Writes `hostile.csv` (a row per server and case, written as each
//! ends) into `--out`.
//!
//! ```sh
//! cargo build --release --workspace
//! cargo run --release -p bench -- hostile --out /tmp/hostile
//! ```

use std::fs::File;
use std::io::Write as _;
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use catalogue::SERVERS;
use procs::{Server, figures};
use serde_json::Value;

use crate::{machine, ports};

/// Tries every serve-* server as a hostile client would.
#[derive(Debug, clap::Parser)]
pub struct Args {
    /// Where to write hostile.csv.
    #[arg(long, default_value = "target/hostile")]
    out: PathBuf,
    /// Where the serve-* binaries are (build them with --release).
    #[arg(long, default_value = "target/release")]
    bin_dir: PathBuf,
    /// The servers to try (every one by default).
    #[arg(long, value_delimiter = ',')]
    servers: Vec<String>,
    /// How many idle connections.
    #[arg(long, default_value_t = 19_000)]
    idle: usize,
    /// How many clients pipeline without reading, and how many requests each sends.
    #[arg(long, default_value_t = 1_000)]
    pipelining: usize,
    /// A small run for CI: 500 idle connections, 50 clients pipelining.
    #[arg(long)]
    quick: bool,
}

const HEADER: &str = "server,case,connections,alive,new_client_ms,rss_kib,rss_per_connection_kib,\
socket_mem_kib,threads,closed_idle,refused,cpu_s_per_s";

/// One case's figures.
#[derive(Debug, Default)]
struct Row {
    server: String,
    case: &'static str,
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
}

impl Row {
    fn csv(&self) -> String {
        let opt = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.3}"));
        format!(
            "{},{},{},{},{},{},{:.2},{},{},{},{},{}",
            self.server,
            self.case,
            self.connections,
            self.alive,
            opt(self.new_client_ms),
            self.rss_kib,
            self.rss_per_connection_kib,
            self.socket_mem_kib,
            self.threads,
            self.closed_idle,
            self.refused,
            opt(self.cpu_s_per_s),
        )
    }
}

pub fn run(mut args: Args) -> anyhow::Result<()> {
    if args.quick {
        (args.idle, args.pipelining) = (500, 50);
    }
    let servers: Vec<&str> = SERVERS
        .iter()
        .map(|s| s.name)
        .filter(|name| args.servers.is_empty() || args.servers.iter().any(|s| s == name))
        .collect();
    if servers.is_empty() {
        bail!("no such server: {:?}", args.servers);
    }
    std::fs::create_dir_all(&args.out)?;
    // Reading the machine raises this process's open-file limit as far as it goes: 19,000
    // connections need it, and the servers inherit it.
    let machine = machine::Machine::read();
    std::fs::write(
        args.out.join("machine.json"),
        serde_json::to_string_pretty(&serde_json::json!({ "machine": machine }))?,
    )?;
    let mut csv = File::create(args.out.join("hostile.csv"))?;
    writeln!(csv, "{HEADER}")?;
    for server in servers {
        let bin = args.bin_dir.join(server);
        let bin = bin.to_str().context("a UTF-8 path")?;
        type Case = fn(&str, &str, usize) -> anyhow::Result<Row>;
        let cases: [(Case, usize); 3] = [
            (idle, args.idle),
            (not_reading, args.pipelining),
            (no_descriptors, 1000),
        ];
        for (case, n) in cases {
            let row = case(bin, server, n)?;
            eprintln!(
                "{server} {}: alive {}, a new client answered in {}, RSS {} KiB ({:.1} KiB a \
                 connection), sockets {} KiB",
                row.case,
                row.alive,
                row.new_client_ms
                    .map_or("never".into(), |ms| format!("{ms:.1} ms")),
                row.rss_kib,
                row.rss_per_connection_kib,
                row.socket_mem_kib
            );
            writeln!(csv, "{}", row.csv())?;
            csv.flush()?;
        }
    }
    Ok(())
}

/// `n` connections that connect and send nothing, then a new client.
fn idle(bin: &str, name: &str, n: usize) -> anyhow::Result<Row> {
    ports::wait_for_ports(n as u64);
    let mut server = Server::start(bin, &["--header-timeout", "60"]);
    let base = settle(&server);
    let connections: Vec<TcpStream> = (0..n)
        .filter_map(|_| TcpStream::connect(server.addr()).ok())
        .collect();
    std::thread::sleep(Duration::from_secs(2));
    let row = figures_of(&mut server, name, "idle", connections.len(), base);
    drop(connections);
    Ok(row)
}

/// `n` clients each pipelining requests for 64 KiB answers without reading any.
fn not_reading(bin: &str, name: &str, n: usize) -> anyhow::Result<Row> {
    ports::wait_for_ports(n as u64);
    let mut server = Server::start(bin, &["--header-timeout", "60"]);
    let base = settle(&server);
    let requests = "GET /work?ms=0&size=65536 HTTP/1.1\r\nHost: t\r\n\r\n".repeat(1000);
    let connections: Vec<TcpStream> = (0..n)
        .filter_map(|_| {
            let mut stream = TcpStream::connect(server.addr()).ok()?;
            stream
                .set_write_timeout(Some(Duration::from_millis(200)))
                .ok()?;
            // The server may stop reading before it has them all: that is the point.
            let _ = stream.write_all(requests.as_bytes());
            Some(stream)
        })
        .collect();
    std::thread::sleep(Duration::from_secs(3));
    let row = figures_of(&mut server, name, "not-reading", connections.len(), base);
    drop(connections);
    Ok(row)
}

/// A server allowed 256 descriptors, and `n` connections arriving: the CPU it spends while it
/// cannot accept them, then a new client once they are gone.
fn no_descriptors(bin: &str, name: &str, n: usize) -> anyhow::Result<Row> {
    ports::wait_for_ports(n as u64);
    let mut command = Command::new(bin);
    command.args(["--header-timeout", "2"]);
    procs::limit_descriptors(&mut command, 256);
    let mut server = Server::start_command(&mut command);
    let base = settle(&server);
    let connections: Vec<TcpStream> = (0..n)
        .filter_map(|_| TcpStream::connect(server.addr()).ok())
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let before = figures::cpu_seconds(server.pid()).unwrap_or(0.0);
    std::thread::sleep(Duration::from_secs(2));
    let cpu = (figures::cpu_seconds(server.pid()).unwrap_or(0.0) - before) / 2.0;
    drop(connections);
    // The connections it did accept end at --header-timeout.
    std::thread::sleep(Duration::from_secs(3));
    let mut row = figures_of(&mut server, name, "no-descriptors", n, base);
    row.cpu_s_per_s = Some(cpu);
    Ok(row)
}

/// The server's RSS once it has answered a first request, before the case.
fn settle(server: &Server) -> u64 {
    let _ = new_client(server.addr());
    figures::rss_kib(server.pid()).unwrap_or(0)
}

/// The server's figures now, and how long a new client waits for its answer.
fn figures_of(server: &mut Server, name: &str, case: &'static str, n: usize, base: u64) -> Row {
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
