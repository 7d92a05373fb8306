use super::*;
use proptest::prelude::*;

/// Reads `wire` in pieces cut at `cuts`, then the close: the body, or the error.
fn read_in_pieces(wire: &[u8], cuts: &[usize]) -> Result<(Option<Head>, Vec<u8>), FetchError> {
    let (mut response, mut body) = (Response::new(), Vec::new());
    let mut at = 0;
    for &cut in cuts.iter().chain([&wire.len()]) {
        let cut = cut.clamp(at, wire.len());
        response.read(&wire[at..cut], &mut body)?;
        at = cut;
    }
    if !response.is_done() {
        response.closed()?;
    }
    Ok((response.head().cloned(), body))
}

fn read(wire: &[u8]) -> Result<(Option<Head>, Vec<u8>), FetchError> {
    read_in_pieces(wire, &[])
}

#[test]
fn a_request_names_the_host_and_path_only() {
    let target = Target::parse("http://user:secret@a.test:8080/x?y=1#frag").unwrap();
    assert_eq!((target.host.as_str(), target.port), ("a.test", 8080));
    let request = String::from_utf8(target.request()).unwrap();
    assert!(request.starts_with("GET /x?y=1 HTTP/1.1\r\nHost: a.test:8080\r\n"));
    assert!(!request.contains("secret") && request.ends_with("\r\n\r\n"));
    let v6 = Target::parse("https://[::1]/").unwrap();
    assert_eq!((v6.https, v6.host.as_str(), v6.port), (true, "::1", 443));
    assert!(
        String::from_utf8(v6.request())
            .unwrap()
            .contains("Host: [::1]\r\n")
    );
    let err = Target::parse("ftp://a.test/").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidUrl);
}

#[test]
fn every_framing_gives_the_body() {
    let cases: [(&[u8], &[u8]); 5] = [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", b"hello"),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3;x=y\r\nllo\r\n0\r\nA: b\r\n\r\n",
            b"hello",
        ),
        (b"HTTP/1.0 200 OK\r\n\r\nhello", b"hello"),
        (
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
            b"hello",
        ),
        (b"HTTP/1.1 204 No Content\r\n\r\nstray", b""),
    ];
    for (wire, want) in cases {
        let (head, body) = read(wire).unwrap();
        assert_eq!(body, want, "{}", String::from_utf8_lossy(wire));
        assert!(matches!(
            head,
            Some(Head {
                status: 200 | 204,
                ..
            })
        ));
    }
}

#[test]
fn a_redirect_says_where() {
    let (head, _) =
        read(b"HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n").unwrap();
    assert_eq!(head.unwrap().location.as_deref(), Some("/b"));
}

#[test]
fn bad_answers_are_errors_of_their_kind() {
    let cases: [(&[u8], ErrorKind); 8] = [
        (b"", ErrorKind::Closed),
        (b"HTTP/1.1 200 OK\r\nContent-", ErrorKind::Closed),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhello",
            ErrorKind::Truncated,
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
            ErrorKind::Truncated,
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            ErrorKind::NotHttp,
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n",
            ErrorKind::NotHttp,
        ),
        (b"SSH-2.0-OpenSSH_9.2\r\n", ErrorKind::NotHttp),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            ErrorKind::NotHttp,
        ),
    ];
    for (wire, kind) in cases {
        let err = read(wire).unwrap_err();
        assert_eq!(err.kind(), kind, "{}: {err}", String::from_utf8_lossy(wire));
    }
}

#[test]
fn a_head_without_end_stops_at_its_limit() {
    let mut response = Response::new();
    let line = b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    let mut result = response.read(b"HTTP/1.1 200 OK\r\n", &mut Vec::new());
    for _ in 0..MAX_HEAD / line.len() + 2 {
        result = result.and_then(|()| response.read(line, &mut Vec::new()));
    }
    assert_eq!(result.unwrap_err().kind(), ErrorKind::NotHttp);
    assert!(response.pending.capacity() <= 2 * MAX_HEAD);
}

#[test]
fn a_length_that_does_not_fit_is_not_http() {
    let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n";
    assert_eq!(read(wire).unwrap_err().kind(), ErrorKind::NotHttp);
}

proptest! {
    /// However the reads split a response, the body is the same, and no piece of it is
    /// kept by the parser.
    #[test]
    fn reads_split_anywhere_give_the_same_body(
        body in proptest::collection::vec(any::<u8>(), 0..3000),
        chunk in 1usize..700,
        cuts in proptest::collection::vec(0usize..4000, 0..12),
        chunked in any::<bool>(),
    ) {
        let mut wire = Vec::new();
        if chunked {
            wire.extend_from_slice(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            for piece in body.chunks(chunk) {
                wire.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
                wire.extend_from_slice(piece);
                wire.extend_from_slice(b"\r\n");
            }
            wire.extend_from_slice(b"0\r\n\r\n");
        } else {
            wire.extend_from_slice(
                format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len()).as_bytes(),
            );
            wire.extend_from_slice(&body);
        }
        let mut cuts = cuts;
        cuts.sort_unstable();
        let (head, got) = read_in_pieces(&wire, &cuts).unwrap();
        prop_assert_eq!(head.map(|h| h.status), Some(200));
        prop_assert_eq!(got, body);
    }
}
