//! The standalone origin: serves the talks' sites and jobs API until stopped.
//!
//! Run with:
//! ```sh
//! cargo run --release -p origin -- --port 8080
//! ```
//! then point any model at it: `cargo run -p fetch-tokio -- --origin http://127.0.0.1:8080`.
//! Measuring a client against a standalone origin keeps the origin's CPU and memory out of the
//! client's figures.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Replays the talks' sites and jobs API on a local port"
)]
struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// Multiplies every simulated delay.
    #[arg(long, default_value_t = 1.0, value_parser = non_negative)]
    time_scale: f64,
    /// Also serve HTTPS on a port of its own, with a certificate made at start; the authority's
    /// certificate is written to a file for clients to trust (`--ca-cert FILE`).
    #[arg(long)]
    tls: bool,
    /// Serve the files of this folder at `/files/` (the talk's page: `--files js`, then
    /// `/files/talks/async.html`).
    #[arg(long, value_name = "DIR")]
    files: Option<std::path::PathBuf>,
    /// Worker threads of the runtime.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..))]
    workers: u16,
}

fn non_negative(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!("{s:?} is not a non-negative number")),
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    match fetchkit::raise_fd_limit() {
        Ok(limit) => eprintln!("origin: up to {} open files", limit.soft),
        Err(e) => eprintln!("origin: cannot read the open-file limit: {e}"),
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(usize::from(args.workers))
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("origin: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let listeners =
            match origin::Listeners::bind(SocketAddr::new(args.bind, args.port), args.tls) {
                Ok(listeners) => listeners,
                Err(e) => {
                    eprintln!("origin: cannot listen on {}:{}: {e}", args.bind, args.port);
                    return ExitCode::FAILURE;
                }
            };
        let (Ok(http), Ok(faults)) = (listeners.http.local_addr(), listeners.faults.local_addr())
        else {
            eprintln!("origin: cannot read the bound addresses");
            return ExitCode::FAILURE;
        };
        // Scripts read this first line to learn the port.
        println!("origin listening on http://{http} (faults on http://{faults})");
        let _ca_file = match (listeners.https_addr(), listeners.ca_pem()) {
            (Some(https), Some(pem)) => match origin::CaFile::write(pem, https.port()) {
                Ok(file) => {
                    println!(
                        "origin serving HTTPS on https://localhost:{} (trust {} with --ca-cert)",
                        https.port(),
                        file.path().display()
                    );
                    Some(file)
                }
                Err(e) => {
                    eprintln!("origin: cannot write the CA certificate: {e}");
                    return ExitCode::FAILURE;
                }
            },
            _ => None,
        };
        let config = origin::Config {
            time_scale: args.time_scale,
            tls: args.tls,
            // The folder is the process's for its whole life.
            files: args.files.map(|dir| &*Box::leak(dir.into_boxed_path())),
        };
        let stop = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        origin::serve(listeners, config, Arc::default(), stop).await;
        ExitCode::SUCCESS
    })
}
