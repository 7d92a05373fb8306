//! Prints the catalogue, for scripts: `catalogue --list models` (or `servers`, or `waits`)
//! prints each name on a line of its own in the reports' order; `catalogue --list` prints every entry with
//! its short name, family and library, tab-separated.

use std::io::Write as _;
use std::process::ExitCode;

use catalogue::{MODELS, SERVERS, WAITERS};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut lines = Vec::new();
    match args[..] {
        ["--list", "models"] => lines.extend(MODELS.iter().map(|m| m.name.to_string())),
        ["--list", "servers"] => lines.extend(SERVERS.iter().map(|s| s.name.to_string())),
        ["--list", "waits"] => lines.extend(WAITERS.iter().map(|w| w.name.to_string())),
        ["--list"] => {
            lines.push("name\tshort\tfamily\tlibrary".to_string());
            let models = MODELS
                .iter()
                .map(|m| (m.name, m.short, m.family, m.library));
            let servers = SERVERS
                .iter()
                .map(|s| (s.name, s.short, s.family, s.library));
            for (name, short, family, library) in models.chain(servers) {
                lines.push(format!("{name}\t{short}\t{family:?}\t{library}"));
            }
        }
        _ => {
            eprintln!("usage: catalogue --list [models | servers | waits]");
            return ExitCode::from(2);
        }
    }
    // A closed stdout (`| head`) ends the listing, not the program with a panic.
    let mut out = std::io::stdout().lock();
    let _ = lines.iter().try_for_each(|line| writeln!(out, "{line}"));
    ExitCode::SUCCESS
}
