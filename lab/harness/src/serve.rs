//! The servers under test: each serve-* binary started on a port of its own, spoken to with
//! real HTTP over loopback, good requests and bad.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

use procs::figures::{cpu_seconds, rss_kib};
use procs::hostile::{Probe, Probed, pipeline_without_reading};
pub use procs::{Answer, Answers, Server, read_answer, send};

/// How long a new client may wait for its answer under a flood of clients that never read.
/// The release servers are held to a second, as the run's hostile part holds them. A debug
/// build does the same work several times slower (serve-smol's slowest probe came to 1.06 to
/// 1.15 s of it, every probe answered), so it is held to two: an unfair hub or loop still
/// fails by far (before their fixes, serve-green's slowest probe took 3.6 s and
/// serve-reactor's 2.4 s).
pub const PROBE_BOUND: Duration = if cfg!(debug_assertions) {
    Duration::from_secs(2)
} else {
    Duration::from_secs(1)
};

/// The checks every server must pass.
#[derive(Debug, Clone)]
pub struct ServerTest {
    bin: &'static str,
    io_uring: bool,
}

impl ServerTest {
    pub fn new(bin: &'static str) -> ServerTest {
        let name = crate::program_name(bin);
        let info = catalogue::Server::named(name)
            .unwrap_or_else(|| panic!("{name} is not in the catalogue's SERVERS"));
        ServerTest {
            bin,
            io_uring: info.io_uring,
        }
    }

    /// Whether this check is skipped here: a server on io_uring where it is not available
    /// (said on the test's output).
    pub fn skipped(&self) -> bool {
        self.io_uring && crate::skipped_without_io_uring(self.bin, &["--port", "0"])
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
        let two = "GET /work?ms=1&size=1 HTTP/1.1\r\nHost: t\r\n\r\n\
                   GET /work?ms=1&size=2 HTTP/1.1\r\nHost: t\r\n\r\n";
        stream.write_all(two.as_bytes()).expect("send");
        let sizes = [read_answer(&mut stream), read_answer(&mut stream)]
            .map(|a| a.expect("an answer to each").body.len());
        assert_eq!(sizes, [1, 2]);
        let close = "GET /work?ms=1&size=3 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
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
            .write_all(b"POST /work HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
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
            let _ = stream.write_all(b"GET /work?ms=300&size=10 HTTP/1.1\r\nHost: t\r\n\r\n");
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

    /// A HEAD is answered with the head of its GET and no body, so that the next answer on the
    /// connection is read where it starts: HEAD of a route that does not exist, HEAD of /work,
    /// then a GET, pipelined.
    pub fn answers_head_with_the_head_alone(&self) {
        let server = self.start();
        let mut stream = server.connect();
        stream
            .write_all(
                b"HEAD /nope HTTP/1.1\r\nHost: t\r\n\r\n\
                  HEAD /work?ms=1&size=100 HTTP/1.1\r\nHost: t\r\n\r\n\
                  GET /work?ms=1&size=7 HTTP/1.1\r\nHost: t\r\n\r\n",
            )
            .expect("send");
        let mut answers = Answers::new(stream);
        let missing = answers.next(true).expect("an answer to HEAD /nope");
        assert_eq!(missing.status, 404);
        let work = answers.next(true).expect("an answer to HEAD /work");
        assert_eq!((work.status, work.length()), (200, Some(100)));
        let get = answers
            .next(false)
            .expect("an answer to the GET after them");
        assert_eq!((get.status, get.body.len()), (200, 7), "{:?}", get.headers);
    }

    /// A request's wait is its own: a wait longer than `--header-timeout` (1 s here) is waited
    /// out in full, not cut when the head's deadline passes.
    pub fn waits_out_a_wait_longer_than_the_header_timeout(&self) {
        let server = self.start();
        let start = Instant::now();
        let answer = server.get("/work?ms=2500&size=5");
        let elapsed = start.elapsed();
        assert_eq!((answer.status, answer.body.len()), (200, 5));
        assert!(
            elapsed >= Duration::from_millis(2400),
            "answered after {elapsed:?}"
        );
    }

    /// A client may shut down its writing side after its requests (RFC 9112 allows it, and
    /// some proxies do): each request is still answered, then the connection is closed.
    pub fn answers_a_half_closed_request(&self) {
        let server = self.start();
        for sizes in [&[5][..], &[1, 2, 3]] {
            let mut stream = server.connect();
            let requests: String = sizes
                .iter()
                .map(|size| format!("GET /work?ms=20&size={size} HTTP/1.1\r\nHost: t\r\n\r\n"))
                .collect();
            stream.write_all(requests.as_bytes()).expect("send");
            stream.shutdown(Shutdown::Write).expect("half-close");
            let mut answers = Answers::new(stream);
            for size in sizes {
                let answer = answers.next(false).unwrap_or_else(|| {
                    panic!("no answer to the half-closed request for {size} bytes")
                });
                assert_eq!((answer.status, answer.body.len()), (200, *size));
            }
        }
    }

    /// A wait whose client left is cancelled (`abandoned` in `/stats`): a client that resets
    /// the connection, whatever its version, and an HTTP/1.1 client that closes it (its FIN
    /// answered with an interim `100 Continue`, which its closed socket answers with a reset).
    /// A client that only half-closes is answered: after the interim answer in HTTP/1.1, and
    /// without one in HTTP/1.0, which may not be sent one.
    pub fn cancels_the_waits_of_clients_that_left(&self) {
        let server = self.start();
        let request =
            |version| format!("GET /work?ms=30000&size=5 HTTP/{version}\r\nHost: t\r\n\r\n");
        let mut left = Vec::new();
        for (version, reset) in [("1.1", false), ("1.1", true), ("1.0", true)] {
            for _ in 0..5 {
                let mut stream = server.connect();
                stream.write_all(request(version).as_bytes()).expect("send");
                if reset {
                    set_linger_zero(&stream);
                }
                left.push(stream);
            }
        }
        // The requests reach their waits; then every client leaves.
        std::thread::sleep(Duration::from_millis(300));
        drop(left);
        let start = Instant::now();
        let mut abandoned = 0;
        while start.elapsed() < Duration::from_secs(10) {
            abandoned = server.stats()["abandoned"].as_u64().unwrap_or(0);
            if abandoned >= 15 {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(abandoned, 15, "waits cancelled of 15 whose clients left");
        for (version, interim) in [("1.1", 1), ("1.0", 0)] {
            let mut stream = server.connect();
            let request = format!("GET /work?ms=1500&size=5 HTTP/{version}\r\nHost: t\r\n\r\n");
            stream.write_all(request.as_bytes()).expect("send");
            stream.shutdown(Shutdown::Write).expect("half-close");
            let mut answers = Answers::new(stream);
            let answer = answers
                .next(false)
                .expect("an answer to the half-closed request");
            assert_eq!(
                (answer.status, answer.body.len()),
                (200, 5),
                "HTTP/{version}"
            );
            assert_eq!(
                answers.interim, interim,
                "interim answers to HTTP/{version}"
            );
        }
        assert_eq!(server.stats()["abandoned"].as_u64(), Some(15));
    }

    /// RFC 9112, section 3.2: an HTTP/1.1 request without a Host header, or with two, is a
    /// 400; HTTP/1.0 needs none; the absolute form (`GET http://host/work`, as proxies send it)
    /// is served.
    pub fn holds_requests_to_one_host(&self) {
        let server = self.start();
        for (request, status, size) in [
            ("GET /work?ms=1&size=3 HTTP/1.1\r\n\r\n", 400, None),
            (
                "GET /work?ms=1&size=3 HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
                400,
                None,
            ),
            ("GET /work?ms=1&size=3 HTTP/1.0\r\n\r\n", 200, Some(3)),
            (
                "GET http://t/work?ms=1&size=4 HTTP/1.1\r\nHost: t\r\n\r\n",
                200,
                Some(4),
            ),
        ] {
            let mut stream = server.connect();
            stream.write_all(request.as_bytes()).expect("send");
            let answer =
                read_answer(&mut stream).unwrap_or_else(|| panic!("no answer: {request:?}"));
            assert_eq!(answer.status, status, "{request:?}");
            if let Some(size) = size {
                assert_eq!(answer.body.len(), size, "{request:?}");
            }
        }
    }

    /// Clients that pipeline requests for big answers and never read them: the server stops
    /// reading them while their answers wait, so its memory stays bounded, and a new client that
    /// asks for a small answer every quarter of a second meanwhile, from before the flood to its
    /// end, has each answer within [`PROBE_BOUND`]. Without backpressure, these 400 clients would
    /// have it hold 400 x 200 answers of 64 KiB (5 GiB); without fairness, one connection's flood
    /// would keep the probe waiting.
    pub fn stops_reading_clients_that_do_not_read(&self) {
        const FLOODERS: usize = 400;
        let mut server = self.start();
        let probe = Probe::every(server.addr(), Duration::from_millis(250));
        // The server may stop reading before it has all 200 requests: that is the point.
        let streams = pipeline_without_reading(
            server.addr(),
            FLOODERS,
            200,
            "/work?ms=0&size=65536",
            Duration::from_millis(500),
        );
        assert_eq!(streams.len(), FLOODERS, "every flooding client connects");
        std::thread::sleep(Duration::from_secs(2));
        let rss = rss_kib(server.pid()).unwrap_or(0);
        let probed = Probed::of(&probe.stop());
        eprintln!("a new client under the flood: {probed:?}");
        assert!(server.is_running());
        assert!(
            rss < 200 * 1024,
            "{rss} KiB of RSS with {FLOODERS} clients not reading"
        );
        assert!(
            probed.all_within(PROBE_BOUND),
            "a new client under the flood, each probe within {PROBE_BOUND:?}: {probed:?}"
        );
        drop(streams);
    }

    /// A connection that has been sent a big answer and then waits keeps no buffer of that
    /// size: 100 connections after an answer of 1 MiB each hold far less than 100 MiB.
    pub fn keeps_no_big_buffer_for_an_idle_connection(&self) {
        let server = self.start();
        // The answer's bytes, shared by every answer, are touched once before the baseline.
        assert_eq!(server.get("/work?ms=0&size=1048576").body.len(), 1 << 20);
        let before = rss_kib(server.pid()).unwrap_or(0);
        let mut streams: Vec<TcpStream> = (0..100).map(|_| server.connect()).collect();
        for stream in &mut streams {
            send(stream, "/work?ms=0&size=1048576");
        }
        for stream in &mut streams {
            let answer = read_answer(stream).expect("an answer");
            assert_eq!(answer.body.len(), 1 << 20);
        }
        std::thread::sleep(Duration::from_millis(300));
        let grown = rss_kib(server.pid()).unwrap_or(0).saturating_sub(before);
        assert!(
            grown < 30 * 1024,
            "{grown} KiB more for 100 idle connections after 1 MiB answers"
        );
        drop(streams);
    }

    /// Out of descriptors (a limit of 64 here), the server pauses accepting instead of trying
    /// again at once: with a thousand connections waiting in its backlog it uses little CPU,
    /// and it serves again once they are gone.
    pub fn pauses_accepting_without_descriptors(&self) {
        let mut command = Command::new(self.bin);
        command.args(["--header-timeout", "1"]);
        procs::limit_descriptors(&mut command, 64);
        let mut server = Server::start_command(&mut command);
        let streams: Vec<TcpStream> = (0..1000)
            .filter_map(|_| TcpStream::connect(server.addr()).ok())
            .collect();
        std::thread::sleep(Duration::from_millis(500));
        let before = cpu_seconds(server.pid()).unwrap_or(0.0);
        std::thread::sleep(Duration::from_secs(1));
        let used = cpu_seconds(server.pid()).unwrap_or(0.0) - before;
        assert!(used < 0.1, "{used:.2} s of CPU in 1 s without descriptors");
        assert!(server.is_running());
        drop(streams);
        // The connections it did accept end at --header-timeout (1 s).
        std::thread::sleep(Duration::from_millis(2500));
        assert_eq!(server.get("/work?ms=1").status, 200);
    }

    /// Many connections that connect and send nothing leave the server alive and quick to
    /// answer a new client.
    pub fn serves_a_new_client_beside_idle_ones(&self, args: &[&str]) {
        let mut server = Server::start(self.bin, args);
        let idle: Vec<TcpStream> = (0..2000)
            .filter_map(|_| TcpStream::connect(server.addr()).ok())
            .collect();
        assert_eq!(idle.len(), 2000);
        std::thread::sleep(Duration::from_millis(500));
        let start = Instant::now();
        assert_eq!(server.get("/work?ms=1").status, 200);
        let elapsed = start.elapsed();
        assert!(
            elapsed < Duration::from_secs(1),
            "answered after {elapsed:?}"
        );
        assert!(server.is_running());
        drop(idle);
    }
}

/// The tests of one server: a `#[test]` per check.
/// Makes closing `stream` reset the connection (`SO_LINGER` of zero) instead of ending it
/// with a FIN.
fn set_linger_zero(stream: &TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    let size = libc::socklen_t::try_from(std::mem::size_of::<libc::linger>()).expect("small");
    // SAFETY: the option's value is a `linger`, valid for the call; the socket is open.
    let set = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&raw const linger).cast(),
            size,
        )
    };
    assert_eq!(set, 0, "SO_LINGER");
}

#[macro_export]
macro_rules! server_tests {
    (@checks [$($arg:expr),*]) => {
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
            answers_head_with_the_head_alone(),
            waits_out_a_wait_longer_than_the_header_timeout(),
            answers_a_half_closed_request(),
            cancels_the_waits_of_clients_that_left(),
            holds_requests_to_one_host(),
            stops_reading_clients_that_do_not_read(),
            keeps_no_big_buffer_for_an_idle_connection(),
            pauses_accepting_without_descriptors(),
            serves_a_new_client_beside_idle_ones(&[$($arg),*]),
        }
    };
    ($bin:expr) => {
        $crate::server_tests!($bin, []);
    };
    ($bin:expr, [$($arg:expr),* $(,)?]) => {
        fn server() -> $crate::serve::ServerTest {
            $crate::serve::ServerTest::new($bin)
        }

        $crate::server_tests!(@checks [$($arg),*]);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! server_checks {
    ($($check:ident($($arg:expr)?),)+) => {
        $(
            #[test]
            fn $check() {
                let server = server();
                if !server.skipped() {
                    server.$check($($arg)?);
                }
            }
        )+
    };
}
