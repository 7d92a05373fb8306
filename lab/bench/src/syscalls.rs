//! The syscalls part: the system calls each server makes per request. Every serve-* binary runs
//! under `strace -c -f` beside wrk at a few hundred connections for a few seconds; strace counts
//! every call of every thread, and wrk the requests answered. strace slows every call, so the
//! counts are the figures here, not the time. (A program on io_uring makes few calls for much
//! work: its operations go through the ring, and `io_uring_enter` submits and reaps many at
//! once; its count is a count of calls, as every other server's.)
//!
//! Writes `syscalls/syscalls.csv` (a line per server and system call: its calls and its errors,
//! with the server's requests) and strace's and wrk's own output under `syscalls/raw/`.

use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use catalogue::SERVERS;
use procs::Server;
use runfiles::{SyscallRow, SyscallSettings};

use benchkit::context::{self, Context, Planned, interrupted};

/// A system call's name, calls and errors, as `strace -c` counted them.
type Calls = Vec<(String, u64, u64)>;

/// What the syscalls part will run.
#[derive(Debug)]
pub struct Plan {
    servers: Vec<&'static str>,
    connections: u64,
    seconds: u64,
}

pub fn plan(ctx: &Context) -> anyhow::Result<Planned<Plan>> {
    for tool in ["strace", "wrk"] {
        if !context::found(tool) {
            return Ok(Planned::Skipped(format!(
                "syscalls: {tool} is not installed, so no system calls are counted \
                 (apt-get install {tool})"
            )));
        }
    }
    let servers = SERVERS
        .iter()
        .map(|s| s.name)
        .filter(|name| ctx.args.servers.is_empty() || ctx.args.servers.iter().any(|s| s == name))
        .collect();
    let (connections, seconds) = if ctx.quick() { (20, 1) } else { (200, 5) };
    Ok(Planned::Ready(Plan {
        servers,
        connections,
        seconds,
    }))
}

impl Plan {
    fn expected_run(&self) -> Duration {
        Duration::from_secs(self.seconds + 1)
    }

    pub fn expected(&self) -> Duration {
        self.expected_run() * self.servers.len() as u32
    }

    pub fn measure(self, ctx: &mut Context) -> anyhow::Result<SyscallSettings> {
        let dir = ctx.dir("syscalls")?;
        std::fs::create_dir_all(dir.join("raw"))?;
        let mut rows: Vec<SyscallRow> = Vec::new();
        for server in &self.servers {
            if interrupted() {
                break;
            }
            let what = format!("syscalls · {server}");
            ctx.progress.start(&what);
            let said = match self.trace(ctx, server, &dir) {
                Ok((requests, calls)) => {
                    let total: u64 = calls.iter().map(|c| c.1).sum();
                    rows.extend(calls.iter().map(|(call, count, errors)| SyscallRow {
                        server: server.to_string(),
                        connections: self.connections,
                        requests,
                        call: call.clone(),
                        calls: *count,
                        errors: *errors,
                    }));
                    format!(
                        "{requests} requests, {:.1} system calls per request",
                        total as f64 / requests.max(1) as f64
                    )
                }
                Err(e) => format!("failed: {e:#}"),
            };
            ctx.progress.finish(&what, self.expected_run(), &said);
        }
        runfiles::write(&ctx.out, runfiles::SYSCALLS, &rows)?;
        Ok(SyscallSettings {
            tool: context::version("strace", "-V"),
            load: "wrk".into(),
            connections: self.connections,
            seconds: self.seconds,
            target: "/work?ms=50&size=1024".into(),
        })
    }

    /// One server under strace and wrk: the requests answered, and each call's count and errors.
    fn trace(
        &self,
        ctx: &mut Context,
        server: &str,
        dir: &std::path::Path,
    ) -> anyhow::Result<(u64, Calls)> {
        let summary = dir.join("raw").join(format!("{server}.strace.txt"));
        let bin = ctx.args.bin_dir.join(server);
        let host = ctx.addresses.fresh(self.connections).to_string();
        let mut command = Command::new("strace");
        command
            .args(["-c", "-f", "-o"])
            .arg(&summary)
            .arg(&bin)
            .args(["--host", &host]);
        let mut traced = Server::start_command(&mut command);
        let url = format!("http://{}/work?ms=50&size=1024", traced.addr());
        let mut wrk = Command::new("wrk");
        wrk.args([
            "-t2",
            &format!("-c{}", self.connections),
            &format!("-d{}s", self.seconds),
            &url,
        ]);
        let finished = procs::run(&mut wrk, Duration::from_secs(self.seconds + 30))?;
        std::fs::write(
            dir.join("raw").join(format!("{server}.wrk.txt")),
            &finished.stdout,
        )?;
        // strace writes its summary when the traced server ends: a SIGTERM to the server, not
        // to strace, which would end without it.
        for pid in children(traced.pid()) {
            // SAFETY: kill(2) with a pid read from /proc and a valid signal has no other effect.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while traced.is_running() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let requests = finished
            .stdout
            .lines()
            .find_map(|line| {
                let words: Vec<&str> = line.split_whitespace().collect();
                (words.get(1) == Some(&"requests")).then(|| words[0].parse().ok())?
            })
            .context("wrk printed no request count")?;
        let text = std::fs::read_to_string(&summary)
            .with_context(|| format!("strace wrote no summary to {}", summary.display()))?;
        Ok((requests, parse_strace(&text)))
    }
}

/// The processes whose parent is `pid`, from each process's `/proc/PID/stat`.
fn children(pid: u32) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let child: i32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // The fields after the command name, which is in parentheses: state, then ppid.
            let parent: u32 = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            (parent == pid).then_some(child)
        })
        .collect()
}

/// `strace -c`'s table: each system call with its calls and errors.
fn parse_strace(text: &str) -> Calls {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            // % time, seconds, usecs/call, calls, [errors,] syscall
            let time_first = f.first()?.parse::<f64>().is_ok();
            let name = *f.last()?;
            if !time_first || name == "total" || f.len() < 5 {
                return None;
            }
            let calls = f.get(3)?.parse().ok()?;
            let errors = if f.len() >= 6 {
                f.get(4)?.parse().unwrap_or(0)
            } else {
                0
            };
            Some((name.to_string(), calls, errors))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_strace_summaries_with_and_without_errors() {
        let text = "% time     seconds  usecs/call     calls    errors syscall\n\
            ------ ----------- ----------- --------- --------- ----------------\n\
             51.13    0.853264           8     99631     33210 recvfrom\n\
             30.56    0.509895           5     99630           sendto\n\
              0.00    0.000000           0         1           execve\n\
            ------ ----------- ----------- --------- --------- ----------------\n\
            100.00    1.668743           7    214561     33210 total\n";
        assert_eq!(
            parse_strace(text),
            [
                ("recvfrom".to_string(), 99631, 33210),
                ("sendto".to_string(), 99630, 0),
                ("execve".to_string(), 1, 0)
            ]
        );
    }
}
