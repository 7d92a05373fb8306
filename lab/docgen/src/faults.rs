//! Writes `docs/FAULTS.md`, the table of what each model says for each fault, from the rows the
//! fault tests kept (`harness::record_matrix_row`), so that the page shows what the code
//! does. With `--check FILE`, fails when FILE no longer matches the tests: a fault or a model
//! missing, or a kind the test would not accept.
//!
//! ```sh
//! cargo test --workspace
//! cargo run -p docgen -- faults --write docs/FAULTS.md
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use serde_json::Value;

/// Writes the fault matrix page from the fault tests' own rows.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where the fault tests kept their rows.
    #[arg(long, default_value = "target/tmp/fault-matrix")]
    from: PathBuf,
    /// Write the page to FILE (default: print it).
    #[arg(long, value_name = "FILE")]
    write: Option<PathBuf>,
    /// Check FILE against the tests' rows; exit 1 if it is out of date.
    #[arg(long, value_name = "FILE", conflicts_with = "write")]
    check: Option<PathBuf>,
}

/// The cases, in the page's order, with what the origin does in each.
const CASES: &[(&str, &str)] = &[
    ("refused", "nothing listens on the port"),
    (
        "dns",
        "the host name does not resolve (`tls-certificate-timeout.invalid`)",
    ),
    (
        "hang",
        "the server accepts the connection and never answers",
    ),
    (
        "stalled_body",
        "the head and a tenth of the body arrive, then nothing, the connection left open",
    ),
    (
        "huge_head",
        "an answer whose head goes on for 1 MiB of headers",
    ),
    (
        "close",
        "the server closes the connection before any response",
    ),
    (
        "reset",
        "the server resets the connection (RST) before any response",
    ),
    (
        "reset_mid_body",
        "the server resets the connection halfway through the body",
    ),
    (
        "short_body",
        "the body is shorter than its Content-Length, then the connection closes",
    ),
    (
        "trickle",
        "the body arrives one byte every 200 ms, past the 1 s timeout",
    ),
    ("not_http", "the reply is not HTTP (an SSH banner)"),
    (
        "http_0_9",
        "a body with no head, then the connection closes (HTTP/0.9, or garbage)",
    ),
    ("status_404", "`404 Not Found`"),
    ("status_500", "`500 Internal Server Error`"),
    ("status_999", "a status no RFC names, `999`"),
    (
        "no_location",
        "`301 Moved Permanently` without a `Location`: nowhere to go",
    ),
    ("malformed_json", "jobs workload: the JSON body is cut off"),
    ("no_total", "jobs workload: valid JSON without `TotalJobs`"),
    ("redirect_loop", "a redirect to itself, forever"),
    ("negative_length", "the `Content-Length` is -1"),
    (
        "tls_to_plain_http",
        "HTTPS to a port that speaks plain HTTP",
    ),
    (
        "too_large",
        "jobs workload: a 2 MB body, over the 1 MiB limit of a body read whole",
    ),
    (
        "untrusted_certificate",
        "HTTPS with a certificate from an authority not trusted (no `--ca-cert`)",
    ),
];

/// What one model said for one fault.
#[derive(Debug, Clone)]
struct Entry {
    kind: String,
    /// The kinds the test accepts for this fault (some faults race: a reset may arrive before
    /// or after the client has read part of the body).
    accepted: Vec<String>,
    error: String,
}

/// model -> case -> cell
type Matrix = BTreeMap<String, BTreeMap<String, Entry>>;

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let matrix = read(&args.from)?;
    anyhow::ensure!(
        !matrix.is_empty(),
        "no rows in {}: run `cargo test --workspace` first",
        args.from.display()
    );
    let page = page(&matrix);
    if let Some(file) = args.check {
        let committed = std::fs::read_to_string(&file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let problems = check(&kinds_table(&committed), &matrix);
        if !problems.is_empty() {
            eprintln!(
                "{} does not match the fault tests:\n  {}\nregenerate it with\n  cargo run -p docgen -- faults --write {}",
                file.display(),
                problems.join("\n  "),
                file.display()
            );
            return Ok(ExitCode::FAILURE);
        }
        println!("{} matches the fault tests", file.display());
    } else if let Some(file) = args.write {
        std::fs::write(&file, page)?;
        println!("wrote {}", file.display());
    } else {
        print!("{page}");
    }
    Ok(ExitCode::SUCCESS)
}

/// model -> case -> (kind, error)
fn read(dir: &PathBuf) -> anyhow::Result<Matrix> {
    let mut matrix = Matrix::new();
    let Ok(models) = std::fs::read_dir(dir) else {
        return Ok(matrix);
    };
    for model in models {
        for file in std::fs::read_dir(model?.path())? {
            let path = file?.path();
            let row: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)
                .with_context(|| format!("{} is not JSON", path.display()))?;
            let text = |key: &str| row[key].as_str().unwrap_or("").to_string();
            let accepted = row["accepted"].as_array().into_iter().flatten();
            let cell = Entry {
                kind: text("kind"),
                accepted: accepted
                    .filter_map(|k| k.as_str().map(str::to_string))
                    .collect(),
                error: text("error"),
            };
            matrix
                .entry(text("model"))
                .or_default()
                .insert(text("case"), cell);
        }
    }
    Ok(matrix)
}

fn page(matrix: &Matrix) -> String {
    let mut models: Vec<&String> = matrix.keys().collect();
    // In the order of the other reports: the baseline first.
    models.sort_by_key(|m| catalogue::rank(m));
    let mut md = String::from(
        "# When things go wrong\n\n\
         What every model reports when one endpoint fails, one row per fault. The other endpoints \
         of the same run succeed, the run ends within the timeout and two seconds, and the exit \
         code is 1. Each fault is served by the local origin (`crates/origin`, its fault port) \
         or is a local socket; the tests run every model with `--timeout 1`. Every faulty URL \
         holds words that name other kinds of failure (`tls-certificate-timeout-refused`, in its \
         host, path or query): each model sorts its failures by the types of its client's errors, \
         never by their text, so the words change nothing.\n\n\
         This page is generated from the fault tests' own output, so it shows what the code does:\n\n\
         ```sh\ncargo test --workspace\ncargo run -p docgen -- faults --write docs/FAULTS.md\n```\n\n\
         CI checks that the kinds below still match the tests.\n\n\
         Besides these faults, every model is held to servers that misbehave without failing \
         (the checks of `lab/harness`): answers in the rarer forms HTTP allows (a body \
         that ends when the connection closes, a `100 Continue` first, an HTTP/1.0 answer, a \
         `204` with stray bytes) are read at their right size; a server that closes its idle kept-alive connections costs no endpoint; the \
         same server under another name than its certificate's is refused; two answers of \
         2^64 - 1 jobs add up exactly; two 256 MiB pages pass under a 768 MiB memory limit.\n\n\
         ## The kinds\n\n",
    );
    md.push_str("| fault |");
    for m in &models {
        md.push_str(&format!(" {} |", m.trim_start_matches("fetch-")));
    }
    md.push_str("\n|---|");
    md.push_str(&"---|".repeat(models.len()));
    md.push('\n');
    for (case, what) in CASES {
        md.push_str(&format!("| {case}: {what} |"));
        for m in &models {
            let kind = matrix[*m]
                .get(*case)
                .map_or("(not tested)", |c| c.kind.as_str());
            md.push_str(&format!(" {kind} |"));
        }
        md.push('\n');
    }
    md.push_str("\n## What each row says\n");
    for (case, what) in CASES {
        md.push_str(&format!("\n### {case}\n\n{what}.\n\n"));
        for m in &models {
            if let Some(cell) = matrix[*m].get(*case) {
                md.push_str(&format!("- {m}: `{}`\n", cell.error));
            }
        }
    }
    md
}

/// The table of kinds of a page, as (fault, model, kind).
fn kinds_table(page: &str) -> Vec<(String, String, String)> {
    let mut lines = page
        .lines()
        .skip_while(|l| !l.starts_with("## The kinds"))
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .filter(|l| l.starts_with('|'));
    let cells = |line: &str| -> Vec<String> {
        let line = line.trim().trim_start_matches('|').trim_end_matches('|');
        line.split('|').map(|c| c.trim().to_string()).collect()
    };
    let Some(header) = lines.next().map(cells) else {
        return Vec::new();
    };
    lines
        .skip(1)
        .flat_map(|line| {
            let row = cells(line);
            let fault = row[0].split(':').next().unwrap_or("").to_string();
            let models = header.iter().skip(1).map(|m| format!("fetch-{m}"));
            models
                .zip(row.into_iter().skip(1))
                .map(move |(model, kind)| (fault.clone(), model, kind))
        })
        .collect()
}

/// What is wrong with a committed table, against the tests' rows.
fn check(committed: &[(String, String, String)], matrix: &Matrix) -> Vec<String> {
    let mut problems = Vec::new();
    for (model, cases) in matrix {
        for (case, cell) in cases {
            match committed.iter().find(|(f, m, _)| f == case && m == model) {
                None => problems.push(format!("{model} on {case}: not in the page")),
                Some((_, _, kind)) if !cell.accepted.contains(kind) => problems.push(format!(
                    "{model} on {case}: the page says {kind}, the test accepts {:?} (saw {})",
                    cell.accepted, cell.kind
                )),
                Some(_) => {}
            }
        }
    }
    for (case, model, _) in committed {
        if !matrix
            .get(model)
            .is_some_and(|cases| cases.contains_key(case))
        {
            problems.push(format!(
                "{model} on {case}: in the page, but no test ran it"
            ));
        }
    }
    problems
}
