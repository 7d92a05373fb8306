//! A server started as a process of its own on a free port, spoken to with plain HTTP/1.1 over
//! loopback: how the tests try a server, and how the benchmark reads its counters.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

/// A server running for one test or one benchmark run, killed when dropped.
#[derive(Debug)]
pub struct Server {
    child: Child,
    addr: SocketAddr,
}

/// What a request got back.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    /// The length its `Content-Length` header announces.
    pub fn length(&self) -> Option<usize> {
        self.headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, value)| value.trim().parse().ok())
    }

    /// Whether the server said it closes the connection.
    pub fn closes(&self) -> bool {
        self.headers
            .iter()
            .any(|(name, value)| name.eq_ignore_ascii_case("connection") && value == "close")
    }
}

impl Server {
    /// Starts `bin` on a free port with `args`, and waits for the line saying where it listens.
    pub fn start(bin: &str, args: &[&str]) -> Server {
        Server::start_command(Command::new(bin).args(args))
    }

    /// Starts a prepared command (as another user, say) with `--port 0`.
    pub fn start_command(command: &mut Command) -> Server {
        let mut child = command
            .args(["--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the server");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tell, heard) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tell.send(line);
        });
        let line = heard
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_default();
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|addr| addr.parse().ok());
        let Some(addr) = addr else {
            let _ = child.kill();
            let output = child.wait_with_output().expect("the server's output");
            panic!(
                "no 'listening on http://ADDR/' line: {line:?}\nstderr: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        };
        Server { child, addr }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's process id, for its figures in `/proc`.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A new connection to the server, with a read timeout so that no test waits for ever.
    pub fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(self.addr).expect("connect to the server");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("a read timeout");
        stream
    }

    /// `GET target` on a connection of its own.
    pub fn get(&self, target: &str) -> Answer {
        let mut stream = self.connect();
        send(&mut stream, target);
        read_answer(&mut stream).unwrap_or_else(|| panic!("no answer to {target}"))
    }

    /// The server's counters, from `GET /stats`.
    pub fn stats(&self) -> Value {
        let answer = self.get("/stats");
        assert_eq!(answer.status, 200);
        serde_json::from_slice(&answer.body).expect("a JSON object")
    }

    /// The counters, asked for until the server answers (within a few seconds): a server
    /// short of threads may refuse a connection or two first.
    pub fn stats_when_it_answers(&self) -> Value {
        for _ in 0..50 {
            let mut stream = self.connect();
            send(&mut stream, "/stats");
            if let Some(answer) = read_answer(&mut stream) {
                return serde_json::from_slice(&answer.body).expect("a JSON object");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("no answer to /stats");
    }

    /// Whether the server is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes `GET target` with keep-alive.
pub fn send(stream: &mut TcpStream, target: &str) {
    let request = format!("GET {target} HTTP/1.1\r\nHost: test\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .expect("send a request");
}

/// Reads one answer with a `Content-Length` body; `None` when the connection closed (or failed)
/// before a whole answer arrived. Bytes past the answer are dropped: to read answers that may
/// arrive together (pipelining), read them with [`Answers`].
pub fn read_answer(stream: &mut TcpStream) -> Option<Answer> {
    Answers::new(stream).next(false)
}

/// Answers read off one connection in turn, the bytes past one answer kept for the next. An
/// interim answer (1xx) is passed over, as RFC 9110 asks of a client, and counted.
#[derive(Debug)]
pub struct Answers<R> {
    stream: R,
    buffer: Vec<u8>,
    /// The interim answers passed over so far.
    pub interim: usize,
}

impl<R: Read> Answers<R> {
    pub fn new(stream: R) -> Answers<R> {
        Answers {
            stream,
            buffer: Vec::new(),
            interim: 0,
        }
    }

    /// The next answer; with `head_only` (the answer to a HEAD) no body is read, whatever its
    /// `Content-Length` says. `None` when the connection ended first.
    pub fn next(&mut self, head_only: bool) -> Option<Answer> {
        loop {
            if let Some((len, head)) = parse_head(&self.buffer) {
                if (100..200).contains(&head.status) {
                    self.buffer.drain(..len);
                    self.interim += 1;
                    continue;
                }
                let length = if head_only { 0 } else { head.length()? };
                while self.buffer.len() < len + length {
                    self.fill()?;
                }
                let body = self.buffer[len..len + length].to_vec();
                self.buffer.drain(..len + length);
                return Some(Answer { body, ..head });
            }
            self.fill()?;
        }
    }

    fn fill(&mut self) -> Option<()> {
        let mut chunk = [0; 16384];
        let n = self.stream.read(&mut chunk).ok().filter(|&n| n > 0)?;
        self.buffer.extend_from_slice(&chunk[..n]);
        Some(())
    }
}

/// A whole answer head at the start of `buffer`: its length, and the answer without its body.
fn parse_head(buffer: &[u8]) -> Option<(usize, Answer)> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut headers);
    let httparse::Status::Complete(len) = response.parse(buffer).ok()? else {
        return None;
    };
    let headers = response
        .headers
        .iter()
        .map(|h| {
            let value = String::from_utf8_lossy(h.value).into_owned();
            (h.name.to_ascii_lowercase(), value)
        })
        .collect();
    let status = response.code?;
    Some((
        len,
        Answer {
            status,
            headers,
            body: Vec::new(),
        },
    ))
}
