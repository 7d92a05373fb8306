//! The fault matrix: the ways an endpoint can go wrong ([`Case`]), the check that a model turns
//! each into that endpoint's error row while the others complete ([`Model::survives`]), and the
//! rows kept for `docs/FAULTS.md`.

use fetchkit::ErrorKind;
use origin::{Fault, Origin};
use serde_json::Value;

use crate::{Model, rows, secs, start_origin};

/// Where the fault matrix's rows are kept, below the target directory's `tmp`.
pub const MATRIX_DIR: &str = "fault-matrix";

/// Keeps the row a fault test observed, for `docs/FAULTS.md`: the table of what each model says
/// for each fault is made from these files (`cargo run -p docgen -- faults`), so that it
/// shows what the code does, not what someone typed. Ports are replaced by `PORT`.
pub fn record_matrix_row(
    tmp_dir: &str,
    model: &str,
    case: &str,
    row: &Value,
    accepted: &[ErrorKind],
) {
    let dir = std::path::Path::new(tmp_dir).join(MATRIX_DIR).join(model);
    let entry = serde_json::json!({
        "model": model,
        "case": case.strip_prefix("fault_").unwrap_or(case),
        "kind": row["error_kind"],
        "accepted": accepted,
        "error": without_ports(row["error"].as_str().unwrap_or("")),
    });
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join(format!("{case}.json")), entry.to_string()));
    if let Err(e) = written {
        eprintln!("cannot keep the fault matrix row in {}: {e}", dir.display());
    }
}

/// `http://127.0.0.1:41809/x` as `http://127.0.0.1:PORT/x`: what changes from run to run.
fn without_ports(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = ["127.0.0.1:", "localhost:"]
        .iter()
        .filter_map(|host| rest.find(host).map(|i| i + host.len()))
        .min()
    {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            out.push_str("PORT");
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

/// One way an endpoint can go wrong, for [`Model::survives`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// A fault of the origin's fault port.
    Fault(Fault),
    /// An HTTP status from the origin.
    Status(u16),
    /// A port where nothing listens.
    Refused,
    /// A host name that does not resolve (`.invalid` never does), made of misleading words.
    Dns,
    /// A redirect to itself, forever.
    RedirectLoop,
    /// HTTPS with a certificate no trusted authority signed (no `--ca-cert`).
    UntrustedCertificate,
    /// A jobs answer of 2 MB, over the 1 MiB limit of a body read whole.
    TooLarge,
    /// HTTPS to the origin's plain HTTP port: the TLS handshake meets an HTTP answer.
    TlsToPlainHttp,
}

/// Words that name other kinds of failure, put in every fault's URL (in its host, path or query):
/// a model that sorted errors by their text, which holds the URL, would be misled by them.
pub const MISLEADING: &str = "tls-certificate-timeout-refused";

impl Case {
    /// The URL that fails in this way, with [`MISLEADING`] words in it.
    pub fn url(self, origin: &Origin) -> String {
        match self {
            Case::Fault(fault) => format!("{}?{MISLEADING}", origin.fault_url(fault)),
            Case::Status(code) => origin.url(&format!("/status/{code}?{MISLEADING}")),
            Case::Refused => format!("{}{MISLEADING}", refused_url()),
            Case::Dns => "http://tls-certificate-timeout.invalid/refused".to_string(),
            Case::RedirectLoop => origin.url(&format!("/redirect-loop?{MISLEADING}")),
            Case::UntrustedCertificate => origin
                .https_url(&format!("/apple.com?{MISLEADING}"))
                .expect("https"),
            Case::TooLarge => origin.url(&format!("/bytes/2000000?{MISLEADING}")),
            Case::TlsToPlainHttp => origin
                .url(&format!("/apple.com?{MISLEADING}"))
                .replacen("http://", "https://", 1),
        }
    }

    fn is_jobs(self) -> bool {
        matches!(
            self,
            Case::Fault(Fault::MalformedJson | Fault::NoTotal) | Case::TooLarge
        )
    }
}

/// The path of the file with the origin's certificate authority, for `--ca-cert`.
pub(crate) fn ca_cert(origin: &Origin) -> &str {
    let path = origin.ca_cert().expect("an origin started with HTTPS");
    path.to_str().expect("a UTF-8 temporary path")
}

/// A URL where nothing listens: connecting to it is refused.
pub fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("local_addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}/")
}

impl Model {
    /// One faulty endpoint among good ones: its row names the cause, the others succeed, the
    /// exit code is 1, and the run ends within the timeout and two seconds. Returns the row.
    pub fn survives(&self, case: Case, want: &[ErrorKind]) -> Value {
        let origin = start_origin();
        let url = case.url(&origin);
        self.survives_url(&origin, &url, case.is_jobs(), want)
    }

    fn survives_url(&self, origin: &Origin, bad: &str, jobs: bool, want: &[ErrorKind]) -> Value {
        let good: Vec<String> = if jobs {
            origin::zips()[..3]
                .iter()
                .map(|z| origin.url(&format!("/api/jobs?LocationId={z}&scale=0.01")))
                .collect()
        } else {
            ["/google.com?scale=0.05", "/bytes/5000?delay=0.05"]
                .iter()
                .map(|p| origin.url(p))
                .collect()
        };
        let timeout = 1.0;
        let mut args: Vec<&str> = good.iter().map(String::as_str).collect();
        args.insert(1, bad);
        let timeout_arg = timeout.to_string();
        args.extend(["--timeout", &timeout_arg]);
        if jobs {
            args.extend(["--workload", "jobs"]);
        }
        let (outcome, json) = self.run_json(&args, secs(20));
        assert!(
            outcome.elapsed.as_secs_f64() < timeout + 2.0,
            "took {:?}",
            outcome.elapsed
        );
        assert_eq!(json["failed"], 1, "{json}");
        assert_eq!(json["ok"], good.len(), "{json}");
        let row = rows(&json)
            .find(|r| r["url"] == bad)
            .unwrap_or_else(|| panic!("no row for {bad}: {json}"));
        let kind: ErrorKind =
            serde_json::from_value(row["error_kind"].clone()).expect("error_kind");
        assert!(
            want.contains(&kind),
            "{bad}: {kind:?} not in {want:?}: {row}"
        );
        assert!(row["error"].as_str().is_some_and(|e| !e.is_empty()));
        row.clone()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ports_are_taken_out() {
        assert_eq!(
            super::without_ports("GET http://127.0.0.1:41809/x and https://localhost:443/ ok"),
            "GET http://127.0.0.1:PORT/x and https://localhost:PORT/ ok"
        );
        assert_eq!(super::without_ports("no address here"), "no address here");
    }
}
