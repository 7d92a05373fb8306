use super::*;

fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("runfiles-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_row_reads_back_as_it_was_written() {
    let dir = folder("roundtrip");
    let run = ClientRun {
        workload: "sites".into(),
        n: 6,
        model: "fetch-smol".into(),
        note: "refused: 1, \"reset\": 2".into(),
        status: Status::Failed,
        wall_s: Some(1.25),
        correct: Some(true),
        ..ClientRun::default()
    };
    write(&dir, CLIENT_RUNS, std::slice::from_ref(&run)).unwrap();
    assert_eq!(read(&dir, CLIENT_RUNS).unwrap(), [run]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_status_is_spelt_the_same_in_every_file() {
    let dir = folder("status");
    write(&dir, CLIENT_RUNS, &[ClientRun::default()]).unwrap();
    write(&dir, CLIENT_CELLS, &[CellSummary::default()]).unwrap();
    for table in [CLIENT_RUNS.path, CLIENT_CELLS.path] {
        let text = std::fs::read_to_string(dir.join(table)).unwrap();
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        let at = header.iter().position(|c| *c == "status").unwrap();
        assert_eq!(text.lines().nth(1).unwrap().split(',').nth(at), Some("ok"));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_or_renamed_column_is_an_error_naming_file_line_and_column() {
    let path = Path::new("run/clients/summary.csv");
    let mut header = columns::<CellSummary>();
    let at = header.iter().position(|c| c == "wall_median_s").unwrap();
    header[at] = "wall_s".into();
    let text = format!("{}\n", header.join(","));
    let e = parse::<CellSummary>(path, &text).unwrap_err().to_string();
    assert!(e.contains("run/clients/summary.csv"), "{e}");
    assert!(e.contains("line 1"), "{e}");
    assert!(e.contains("`wall_median_s`"), "{e}");
}

#[test]
fn a_value_that_does_not_parse_names_its_line_and_column() {
    let path = Path::new("waits/runs.csv");
    let row = WaitRun {
        program: "waits-tokio".into(),
        ..WaitRun::default()
    };
    let dir = folder("value");
    write(&dir, WAIT_RUNS, &[row.clone(), row]).unwrap();
    let text = std::fs::read_to_string(dir.join(WAIT_RUNS.path)).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let broken = text.replacen("\nwaits-tokio,,0,", "\nwaits-tokio,,zero,", 2);
    let broken = broken.replacen("waits-tokio,,zero,", "waits-tokio,,0,", 1);
    let e = parse::<WaitRun>(path, &broken).unwrap_err().to_string();
    assert!(e.contains("waits/runs.csv, line 3"), "{e}");
    assert!(e.contains("column `n`"), "{e}");
}

#[test]
fn a_part_that_did_not_run_reads_as_no_rows() {
    let dir = folder("absent");
    assert!(read(&dir, SERVER_RUNS).unwrap().is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_run_of_another_format_is_refused_saying_so() {
    let dir = folder("format");
    std::fs::write(dir.join(SETTINGS), r#"{"command": "bench run"}"#).unwrap();
    let e = check_format(&dir).unwrap_err().to_string();
    assert!(
        e.contains("format 1") && e.contains(&format!("format {FORMAT}")),
        "{e}"
    );
    write_json(&dir, SETTINGS, &Settings::new("x".into(), true, 0.02)).unwrap();
    check_format(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_part_reads_as_its_settings_or_as_skipped() {
    let mut settings = Settings::new("x".into(), false, 1.0);
    let waits = WaitSettings {
        ns: vec![100],
        wait_s: 0.2,
        ..WaitSettings::default()
    };
    settings.parts.push(PartRecord::new(
        Part::Waits,
        1.0,
        &Skippable::Ran(waits.clone()),
    ));
    settings.parts.push(PartRecord::new::<()>(
        Part::Memory,
        0.0,
        &Skippable::Skipped {
            skipped: "no valgrind".into(),
        },
    ));
    assert_eq!(
        settings.of::<WaitSettings>(Part::Waits).unwrap(),
        Some(waits)
    );
    assert_eq!(settings.of::<MemorySettings>(Part::Memory).unwrap(), None);
    assert_eq!(
        settings.skipped(Part::Memory).as_deref(),
        Some("no valgrind")
    );
    assert!(settings.of::<HostileSettings>(Part::Waits).is_err());
    assert!(!settings.ran(Part::Servers));
}

#[test]
fn a_setup_is_a_server_and_its_loops() {
    let setup = Setup::new("serve-reactor", Some(4));
    assert_eq!(setup.to_string(), "serve-reactor --threads 4");
    assert_eq!(Setup::new("serve-tokio", None).to_string(), "serve-tokio");
    assert!(setup.is_rust() && !Setup::new("serve_gevent.py", None).is_rust());
}
