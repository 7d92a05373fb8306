//! Any input, a clear answer: the endpoints-file parser and the command line never panic, and
//! what they accept is a valid plan.

use clap::Parser;
use common::{Args, Endpoints, check_url, parse_endpoints};
use proptest::prelude::*;

/// Lines that look like what people put in an endpoints file, and some that only nearly do.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("   ".to_string()),
        "#[ -~]{0,30}",
        "  #[ -~]{0,10}",
        "(http|https|ftp|HTTP)://[a-z0-9.-]{0,20}(:[0-9]{0,6})?(/[ -~]{0,20})?",
        "http//[a-z.]{0,10}",
        "[ -~]{0,40}",
        any::<String>(),
    ]
}

fn flag_or_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("--count".to_string()),
        Just("--size".to_string()),
        Just("--delay".to_string()),
        Just("--timeout".to_string()),
        Just("--concurrency".to_string()),
        Just("--time-scale".to_string()),
        Just("--threads".to_string()),
        Just("--workload".to_string()),
        Just("jobs".to_string()),
        Just("--live".to_string()),
        Just("--json".to_string()),
        "-?[0-9]{0,7}(\\.[0-9]{0,3})?(e[0-9]{1,3})?",
        Just("nan".to_string()),
        Just("inf".to_string()),
        "[ -~]{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_bytes_are_urls_or_a_numbered_error(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let lines = bytes.split(|&b| b == b'\n').count();
        match parse_endpoints(&bytes) {
            Ok(urls) => {
                for url in urls {
                    prop_assert!(check_url(&url).is_ok(), "{url}");
                }
            }
            Err(e) => {
                prop_assert!((1..=lines).contains(&e.line), "line {} of {lines}", e.line);
                prop_assert!(!e.message.is_empty());
            }
        }
    }

    #[test]
    fn url_like_files_are_urls_or_a_numbered_error(lines in proptest::collection::vec(line(), 0..20)) {
        let text = lines.join("\n");
        match parse_endpoints(text.as_bytes()) {
            Ok(urls) => {
                let kept = lines
                    .iter()
                    .filter(|l| !l.trim().is_empty() && !l.trim().starts_with('#'))
                    .count();
                prop_assert_eq!(urls.len(), kept);
                for url in urls {
                    prop_assert!(url.starts_with("http://") || url.starts_with("https://"), "{url}");
                }
            }
            Err(e) => {
                let bad = &lines[e.line - 1];
                prop_assert!(check_url(bad.trim()).is_err(), "line {}: {bad:?}", e.line);
            }
        }
    }

    #[test]
    fn any_command_line_is_a_plan_or_a_usage_error(args in proptest::collection::vec(flag_or_value(), 0..8)) {
        let argv = std::iter::once("fetch".to_string()).chain(args);
        if let Ok(args) = Args::try_parse_from(argv) {
            if args.urls.is_empty() && args.endpoints.is_none() && !args.live {
                let plan = Endpoints::for_origin("http://127.0.0.1:9", &args);
                let n = args.count.map_or(if args.workload == common::Workload::Jobs { 100 } else { 6 }, |n| n as usize);
                prop_assert_eq!(plan.endpoints.len(), n);
                for endpoint in &plan.endpoints {
                    prop_assert!(check_url(endpoint.url()).is_ok(), "{}", endpoint.url());
                }
            }
        }
    }

    #[test]
    fn any_strings_never_panic_the_parser(args in proptest::collection::vec(any::<String>(), 0..6)) {
        let argv = std::iter::once("fetch".to_string()).chain(args);
        let _ = Args::try_parse_from(argv);
    }
}
