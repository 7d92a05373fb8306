//! The servers under test: each serve-* binary started on a port of its own, spoken to with
//! real HTTP over loopback, good requests and bad.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

pub use procs::{Answer, Server, read_answer, send};

/// The checks every server must pass.
#[derive(Debug, Clone)]
pub struct ServerTest {
    bin: &'static str,
}

impl ServerTest {
    pub fn new(bin: &'static str) -> ServerTest {
        ServerTest { bin }
    }

    /// The server with a short header timeout, for the slow client.
    fn start(&self) -> Server {
        Server::start(self.bin, &["--header-timeout", "1"])
    }

    pub fn answers_work_after_its_delay(&self) {
        let server = self.start();
        let start = Instant::now();
        let answer = server.get("/work?ms=200&size=1000");
        let elapsed = start.elapsed();
        assert_eq!(answer.status, 200);
        assert_eq!(answer.body, vec![b'x'; 1000]);
        assert!(
            elapsed >= Duration::from_millis(190),
            "answered after {elapsed:?}"
        );
        let default = server.get("/work");
        assert_eq!((default.status, default.body.len()), (200, 1024));
        let empty = server.get("/work?ms=0&size=0");
        assert_eq!((empty.status, empty.body.len()), (200, 0));
    }

    pub fn keeps_connections_alive(&self) {
        let server = self.start();
        let mut stream = server.connect();
        for size in [10, 20, 30] {
            send(&mut stream, &format!("/work?ms=1&size={size}"));
            let answer = read_answer(&mut stream).expect("an answer on the same connection");
            assert_eq!((answer.status, answer.body.len()), (200, size));
            assert!(!answer.closes(), "{:?}", answer.headers);
        }
        // Two requests at once (pipelined) are answered in order.
        let two = "GET /work?ms=1&size=1 HTTP/1.1\r\n\r\nGET /work?ms=1&size=2 HTTP/1.1\r\n\r\n";
        stream.write_all(two.as_bytes()).expect("send");
        let sizes = [read_answer(&mut stream), read_answer(&mut stream)]
            .map(|a| a.expect("an answer to each").body.len());
        assert_eq!(sizes, [1, 2]);
        let close = "GET /work?ms=1&size=3 HTTP/1.1\r\nConnection: close\r\n\r\n";
        stream.write_all(close.as_bytes()).expect("send");
        let answer = read_answer(&mut stream).expect("an answer");
        assert_eq!(answer.body.len(), 3);
        assert_eq!(stream.read(&mut [0; 16]).ok(), Some(0), "closed after");
    }

    /// 200 connections each wait 500 ms: one at a time would take 100 s.
    pub fn serves_connections_at_once(&self) {
        let server = self.start();
        let start = Instant::now();
        let mut streams: Vec<TcpStream> = (0..200).map(|_| server.connect()).collect();
        for stream in &mut streams {
            send(stream, "/work?ms=500&size=100");
        }
        for stream in &mut streams {
            let answer = read_answer(stream).expect("an answer to every connection");
            assert_eq!((answer.status, answer.body.len()), (200, 100));
        }
        let elapsed = start.elapsed();
        assert!(
            elapsed < Duration::from_secs(20),
            "200 waits took {elapsed:?}"
        );
        assert!(server.stats()["accepted"].as_u64() >= Some(200));
    }

    pub fn refuses_bad_parameters_paths_and_methods(&self) {
        let server = self.start();
        for (target, status) in [
            ("/work?ms=abc", 400),
            ("/work?size=99999999999", 400),
            ("/work?ms=600000", 400),
            ("/", 404),
            ("/work/../etc/passwd", 404),
        ] {
            assert_eq!(server.get(target).status, status, "{target}");
        }
        let mut stream = server.connect();
        stream
            .write_all(b"POST /work HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
            .expect("send");
        assert_eq!(read_answer(&mut stream).map(|a| a.status), Some(405));
    }

    /// Garbage is a 400 or a closed connection, and the server serves the next client.
    pub fn refuses_garbage(&self) {
        let mut server = self.start();
        for garbage in [
            &b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n"[..],
            b"NOT HTTP AT ALL\r\n\r\n",
            b"GET /work HTTP/9.9\r\n\r\n",
            b"GET /work HTTP/1.1\r\nBad Header\r\n\r\n",
            b"\r\n\r\n\r\n\r\n",
        ] {
            let mut stream = server.connect();
            let _ = stream.write_all(garbage);
            let status = read_answer(&mut stream).map(|a| a.status);
            assert!(
                matches!(status, None | Some(400..=499)),
                "{:?}: {status:?}",
                String::from_utf8_lossy(garbage)
            );
        }
        assert!(server.is_running());
        assert_eq!(server.get("/work?ms=1").status, 200);
    }

    /// A head that never ends is cut off at the limit: the server answers 431 (or 400) or
    /// closes, and stops reading long before the client stops sending.
    pub fn refuses_a_head_too_large(&self) {
        let mut server = self.start();
        let mut stream = server.connect();
        let mut sent = stream
            .write(b"GET /work HTTP/1.1\r\nX-Long: ")
            .expect("send");
        let line = vec![b'a'; 64 * 1024];
        while sent < 64 << 20 {
            match stream.write(&line) {
                Ok(n) => sent += n,
                Err(_) => break,
            }
        }
        assert!(sent < 64 << 20, "the server took 64 MiB of one header");
        let status = read_answer(&mut stream).map(|a| a.status);
        assert!(matches!(status, None | Some(400 | 431)), "{status:?}");
        assert!(server.is_running());
        assert_eq!(server.get("/work?ms=1").status, 200);
    }

    /// A client that sends its head a byte at a time is dropped after `--header-timeout` (1 s
    /// here), and meanwhile the others are served.
    pub fn drops_a_client_that_sends_a_byte_at_a_time(&self) {
        let server = self.start();
        let mut slow = server.connect();
        let start = Instant::now();
        let mut dropped = false;
        for byte in b"GET /work?ms=1 HTTP/1.1\r\nX-Slow: "
            .iter()
            .cycle()
            .take(60)
        {
            if slow.write_all(&[*byte]).is_err() {
                dropped = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
            if start.elapsed() > Duration::from_millis(1500) {
                assert_eq!(server.get("/work?ms=1").status, 200, "others are served");
            }
        }
        let elapsed = start.elapsed();
        if !dropped {
            // The writes may all have gone into the socket's buffer: the close shows in a read.
            slow.set_read_timeout(Some(Duration::from_secs(5)))
                .expect("timeout");
            let status = read_answer(&mut slow).map(|a| a.status);
            assert!(matches!(status, None | Some(408 | 400)), "{status:?}");
        }
        assert!(
            elapsed < Duration::from_secs(10),
            "the slow client was kept {elapsed:?}"
        );
        let stats = server.stats();
        assert!(stats["accepted"].as_u64() >= Some(2), "{stats}");
    }

    /// A client that leaves while its request waits ends nothing but its own connection.
    pub fn survives_clients_that_leave_mid_request(&self) {
        let mut server = self.start();
        for _ in 0..50 {
            let mut stream = server.connect();
            send(&mut stream, "/work?ms=100&size=100000");
        }
        let mut stream = server.connect();
        send(&mut stream, "/work?ms=10&size=1048576");
        // Read a little of a large answer, then leave.
        let _ = stream.read(&mut [0; 100]);
        drop(stream);
        std::thread::sleep(Duration::from_millis(300));
        assert!(server.is_running());
        assert_eq!(server.get("/work?ms=1").status, 200);
    }

    /// `GET /stats` counts connections, requests and the rejected ones.
    pub fn counts_what_it_served(&self) {
        let server = self.start();
        server.get("/work?ms=1");
        server.get("/nowhere");
        let stats = server.stats();
        assert_eq!(stats["accepted"].as_u64(), Some(3), "{stats}");
        // The /stats request itself is counted once answered.
        assert_eq!(stats["requests"].as_u64(), Some(1), "{stats}");
        assert_eq!(stats["rejected"].as_u64(), Some(1), "{stats}");
        assert_eq!(stats["refused"].as_u64(), Some(0), "{stats}");
    }

    /// A port in use is a clear error and exit code 2.
    pub fn says_when_it_cannot_listen(&self) {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        let port = taken.local_addr().expect("its address").port().to_string();
        let mut command = Command::new(self.bin);
        command.args(["--port", &port]);
        let finished = procs::run(&mut command, Duration::from_secs(20)).expect("run");
        assert_eq!(finished.status.and_then(|s| s.code()), Some(2));
        assert!(
            finished.stderr.starts_with("error: cannot listen on"),
            "{}",
            finished.stderr
        );
    }

    /// Under a limit of 3 threads (`ulimit -u`), the server either stops at once with a clear
    /// error and exit code 2, or serves: the connections it cannot give a thread are closed and
    /// counted, and it goes on.
    pub fn survives_a_thread_limit(&self, args: &[&str]) {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("skipped: needs root to run the server as a user with a small ulimit -u");
            return;
        }
        let mut command = Command::new(self.bin);
        command.args(args);
        crate::as_nobody_with_threads(&mut command, 3);
        let mut probe = command;
        probe.args(["--port", "0"]);
        // First, does it start at all?
        let finished = procs::run(&mut probe, Duration::from_secs(3)).expect("run");
        if let Some(status) = finished.status {
            assert_eq!(status.code(), Some(2), "{status}: {}", finished.stderr);
            crate::assert_refused_a_thread(&finished.stderr);
            return;
        }
        let mut command = Command::new(self.bin);
        command.args(args);
        crate::as_nobody_with_threads(&mut command, 3);
        let mut server = Server::start_command(&mut command);
        let mut streams: Vec<TcpStream> = (0..20).map(|_| server.connect()).collect();
        let mut answered = 0;
        for stream in &mut streams {
            let _ = stream.write_all(b"GET /work?ms=300&size=10 HTTP/1.1\r\n\r\n");
        }
        for stream in &mut streams {
            answered += usize::from(read_answer(stream).is_some());
        }
        assert!(server.is_running(), "the server ended");
        drop(streams);
        // Refused connections were counted: 20 in all, answered or refused.
        let stats = server.stats_when_it_answers();
        let refused = stats["refused"].as_u64().unwrap_or(0) as usize;
        assert!(answered + refused >= 20, "{answered} answered, {stats}");
    }
}

/// The tests of one server: a `#[test]` per check.
#[macro_export]
macro_rules! server_tests {
    ($bin:expr) => {
        $crate::server_tests!($bin, []);
    };
    ($bin:expr, [$($arg:expr),* $(,)?]) => {
        fn server() -> $crate::serve::ServerTest {
            $crate::serve::ServerTest::new($bin)
        }

        $crate::server_checks! {
            answers_work_after_its_delay(),
            keeps_connections_alive(),
            serves_connections_at_once(),
            refuses_bad_parameters_paths_and_methods(),
            refuses_garbage(),
            refuses_a_head_too_large(),
            drops_a_client_that_sends_a_byte_at_a_time(),
            survives_clients_that_leave_mid_request(),
            counts_what_it_served(),
            says_when_it_cannot_listen(),
            survives_a_thread_limit(&[$($arg),*]),
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! server_checks {
    ($($check:ident($($arg:expr)?),)+) => {
        $(
            #[test]
            fn $check() {
                server().$check($($arg)?);
            }
        )+
    };
}
