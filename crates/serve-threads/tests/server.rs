//! serve-threads over loopback: the checks every server must pass, and what it does at its
//! ceiling of threads.

use std::io::Read;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use harness::serve::{Server, read_answer, send};

harness::server_tests!(env!("CARGO_BIN_EXE_serve-threads"));

const BIN: &str = env!("CARGO_BIN_EXE_serve-threads");

/// Past its threads (`--threads 100` here), a new connection takes the thread of the connection
/// idle longest, which is closed and counted: the server never dies, and a new client is
/// answered at once.
#[test]
fn gives_a_new_connection_the_thread_of_the_idle_longest() {
    let mut server = Server::start(BIN, &["--threads", "100"]);
    let mut idle: Vec<TcpStream> = (0..300).map(|_| server.connect()).collect();
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    assert_eq!(server.get("/work?ms=1").status, 200);
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    let stats = server.stats();
    assert!(stats["closed_idle"].as_u64() >= Some(200), "{stats}");
    assert_eq!(stats["refused"].as_u64(), Some(0), "{stats}");
    // The first connections waited longest: they were the ones closed.
    let mut first = idle.remove(0);
    assert_eq!(
        first.read(&mut [0; 8]).ok(),
        Some(0),
        "the oldest idle connection was closed"
    );
    assert!(server.is_running());
}

/// When every thread is serving a request, a new connection is refused and counted, and the
/// server goes on.
#[test]
fn refuses_a_connection_when_every_thread_is_busy() {
    let server = Server::start(BIN, &["--threads", "10"]);
    let mut busy: Vec<TcpStream> = (0..10).map(|_| server.connect()).collect();
    for stream in &mut busy {
        send(stream, "/work?ms=1500&size=1");
    }
    std::thread::sleep(Duration::from_millis(200));
    let mut refused = server.connect();
    send(&mut refused, "/work?ms=1&size=1");
    assert!(
        read_answer(&mut refused).is_none(),
        "served past its threads"
    );
    for stream in &mut busy {
        assert_eq!(read_answer(stream).map(|a| a.status), Some(200));
    }
    drop(busy);
    let stats = server.stats_when_it_answers();
    assert!(stats["refused"].as_u64() >= Some(1), "{stats}");
}
