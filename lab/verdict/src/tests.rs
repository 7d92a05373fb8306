//! The verdict from the committed run, and what a changed figure does to it.

use std::path::Path;

use super::*;

fn committed() -> Results {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    Results::read(&root.join(rundata::RUN)).expect("the committed run")
}

#[test]
fn every_model_has_a_row_and_every_server_its_model() {
    let run = committed();
    let table = verdict(&run).expect("the committed run bears out the verdict");
    for model in MODELS {
        assert!(
            table.contains(&format!("`{}`", model.name)),
            "{}",
            model.name
        );
    }
    for server in catalogue::SERVERS {
        assert!(
            table.contains(&format!("`{}`", server.name)),
            "{}",
            server.name
        );
    }
    // A row has as many cells as the header.
    let header = table.lines().next().unwrap().matches(" | ").count();
    for line in table.lines().filter(|l| l.starts_with("| **")) {
        assert_eq!(line.matches(" | ").count(), header, "{line}");
    }
}

#[test]
fn a_row_the_run_stops_bearing_out_names_itself() {
    let mut run = committed();
    // smol's requests made to hold more than tokio's.
    for cell in run.clients.cells.iter_mut() {
        if cell.model == "fetch-smol" {
            cell.per_in_flight = cell.per_in_flight.map(|v| v * 1.5);
        }
    }
    let rows = rows(&run);
    let smol = rows.iter().find(|r| r.model.name == "fetch-smol").unwrap();
    assert!(matches!(smol.cells, Err(Unsupported::Contradicted(_))));
    let tokio = rows.iter().find(|r| r.model.name == "fetch-tokio").unwrap();
    assert!(tokio.cells.is_ok());
    match verdict(&run) {
        Err(Unsupported::Contradicted(why)) => assert!(why.starts_with("smol:"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_run_without_servers_or_a_ceiling_still_makes_every_row() {
    let mut run = committed();
    run.servers.points.clear();
    run.parts.ceiling = None;
    let rows = rows(&run);
    for row in &rows {
        match (&row.cells, row.model.name) {
            // tokio's advice rests on its server: without one it is not measured.
            (Err(Unsupported::Missing(_)), "fetch-tokio") => {}
            (Ok(cells), _) => assert!(cells[5] == "–" || cells[5].ends_with("not measured")),
            (other, name) => panic!("{name}: {other:?}"),
        }
    }
}
