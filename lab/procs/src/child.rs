//! Running a program to the end or to a deadline, whichever comes first: how the tests run a
//! model and how the comparison runs every model.

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// What a finished (or killed) program left behind.
#[derive(Debug)]
pub struct Finished {
    /// `None` when the program outlived its deadline and was killed.
    pub status: Option<ExitStatus>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    /// The CPU time and peak memory of the program (and of its children it waited for), as the
    /// kernel counted them; `None` when it was killed.
    pub usage: Option<Usage>,
}

/// What a finished program cost, from `wait4(2)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usage {
    pub user: Duration,
    pub sys: Duration,
    /// Peak resident set size in bytes (`ru_maxrss`).
    pub peak_rss: u64,
}

/// Runs `command` with its output captured and no input, and kills it past `deadline`.
pub fn run(command: &mut Command, deadline: Duration) -> std::io::Result<Finished> {
    let start = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    // Read both pipes as the program writes, so that a full pipe never blocks it.
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let (status, usage) = loop {
        if let Some((status, usage)) = reap(&child)? {
            break (Some(status), Some(usage));
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break (None, None);
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Ok(Finished {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        elapsed: start.elapsed(),
        usage,
    })
}

/// `try_wait` that also returns what the child cost: `wait4` without blocking.
fn reap(child: &Child) -> std::io::Result<Option<(ExitStatus, Usage)>> {
    let pid = libc::pid_t::try_from(child.id()).map_err(std::io::Error::other)?;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are to live locals of the right types.
    let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
    match reaped {
        0 => Ok(None),
        -1 => Err(std::io::Error::last_os_error()),
        _ => {
            let time = |t: libc::timeval| {
                Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
            };
            let usage = Usage {
                user: time(usage.ru_utime),
                sys: time(usage.ru_stime),
                // Linux counts ru_maxrss in KiB.
                peak_rss: usage.ru_maxrss as u64 * 1024,
            };
            Ok(Some((ExitStatus::from_raw(status), usage)))
        }
    }
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_string(&mut text);
        }
        text
    })
}

/// Sets the child's soft and hard `RLIMIT_NOFILE` to `limit`, as `ulimit -n` would.
pub fn limit_descriptors(command: &mut Command, limit: u64) {
    set_limit(command, libc::RLIMIT_NOFILE, limit);
}

/// Sets the child's soft and hard limit of `resource` to `limit`, as `prlimit` would.
pub fn set_limit(command: &mut Command, resource: libc::__rlimit_resource_t, limit: u64) {
    use std::os::unix::process::CommandExt;
    // SAFETY: setrlimit is async-signal-safe, as code between fork and exec must be.
    unsafe {
        command.pre_exec(move || {
            let rlimit = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(resource, &rlimit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
}
