use super::*;

#[test]
fn every_entry_has_a_crate_and_every_crate_an_entry() {
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crates");
    let names = MODELS.iter().map(|m| m.name);
    for name in names.clone().chain(SERVERS.iter().map(|s| s.name)) {
        let main = crates.join(name).join("src/main.rs");
        assert!(main.is_file(), "{name} has no {}", main.display());
    }
    let on_disk = |prefix: &str| {
        std::fs::read_dir(&crates)
            .expect("crates/")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|name| name.starts_with(prefix))
            .count()
    };
    assert_eq!(
        on_disk("fetch-"),
        MODELS.len(),
        "a fetch-* crate is missing"
    );
    assert_eq!(
        on_disk("serve-"),
        SERVERS.len(),
        "a serve-* crate is missing"
    );
}

#[test]
fn every_chapter_and_own_runtime_named_is_a_file() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let models = MODELS.iter().map(|m| (m.name, m.chapters, m.runtime));
    let servers = SERVERS.iter().map(|s| (s.name, s.chapters, s.runtime));
    for (name, chapters, runtime) in models.chain(servers) {
        assert!(!chapters.is_empty(), "{name} is in no chapter");
        for chapter in chapters {
            let path = root.join("docs/book/src").join(chapter);
            assert!(path.is_file(), "{name}: no {}", path.display());
        }
        if let Runtime::Own(path) = runtime {
            assert!(root.join(path).is_file(), "{name}: no {path}");
        }
    }
}

#[test]
fn short_names_and_colours_tell_the_rows_apart() {
    for (i, a) in MODELS.iter().enumerate() {
        for b in &MODELS[i + 1..] {
            assert_ne!(a.short, b.short);
            assert_ne!(a.color, b.color, "{} and {}", a.name, b.name);
        }
    }
    assert_eq!(
        short("fetch-tokio --concurrency 2"),
        "tokio --concurrency 2"
    );
    assert_eq!(short("serve-green --threads 4"), "green --threads 4");
    assert_eq!(short("curl"), "curl");
    assert_eq!(color("serve-smol"), color("fetch-smol"));
    assert_eq!(rank("fetch-sync"), 0);
    assert!(rank("curl") < rank("sync.py"));
}

#[test]
fn every_python_row_has_its_file_and_a_rust_row_beside_it() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for p in PYTHON_TALKS.iter().chain(PYTHON_SERVERS) {
        assert!(root.join(p.path()).is_file(), "{} has no file", p.name);
        let beside = match p.kind {
            PythonKind::Server => Server::named(p.beside).map(|s| s.name),
            PythonKind::Sites | PythonKind::Jobs => Model::named(p.beside).map(|m| m.name),
        };
        assert_eq!(beside, Some(p.beside), "{} is read beside nothing", p.name);
        assert!(
            Model::named(p.name).is_none() && Server::named(p.name).is_none(),
            "{} is also a Rust row's name",
            p.name
        );
    }
    // In each chart (the sites programs, the jobs programs, the servers) every row has a
    // colour of its own, and none is a Rust row's.
    let rust: Vec<Rgb> = MODELS.iter().map(|m| m.color).chain([BLACK]).collect();
    for kind in [PythonKind::Sites, PythonKind::Jobs, PythonKind::Server] {
        let colours: Vec<Rgb> = PYTHON_TALKS
            .iter()
            .chain(PYTHON_SERVERS)
            .filter(|p| p.kind == kind)
            .map(|p| p.color)
            .collect();
        for (i, c) in colours.iter().enumerate() {
            assert!(!colours[i + 1..].contains(c), "{kind:?}: {c:?} twice");
            assert!(!rust.contains(c), "{kind:?}: {c:?} is a Rust row's");
        }
    }
}

#[test]
fn every_javascript_row_has_its_files_a_model_beside_it_and_a_colour_of_its_own() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let taken: Vec<Rgb> = MODELS
        .iter()
        .map(|m| m.color)
        .chain(PYTHON_TALKS.iter().map(|p| p.color))
        .chain([BLACK])
        .collect();
    for (i, js) in JS_TALKS.iter().enumerate() {
        assert!(root.join(js.path()).is_file(), "{} has no file", js.name);
        assert!(
            root.join(js.script()).is_file(),
            "{} has no driver",
            js.name
        );
        assert!(
            Model::named(js.beside).is_some(),
            "{} beside nothing",
            js.name
        );
        assert!(js.sites || js.jobs, "{} fetches nothing", js.name);
        assert!(is_reference(js.name) && !is_reference(js.beside));
        assert_eq!(family(js.name), Some(js.family));
        assert!(
            !taken.contains(&js.color),
            "{}: a colour of another row",
            js.name
        );
        assert!(
            JS_TALKS[i + 1..]
                .iter()
                .all(|other| other.color != js.color)
        );
        assert!(
            rank(js.name) > rank("async.py"),
            "{} before the Python rows",
            js.name
        );
    }
    let page = JavaScript::named("async.html").expect("async.html");
    assert_eq!(page.bound(), Some(BROWSER_CONNECTIONS_PER_HOST));
    assert_eq!(page.script(), "js/talks/browser.mjs");
    assert_eq!(label("async.html"), "async.html (≤ 6 per host)");
    assert_eq!(label("promises.mjs"), "promises.mjs");
    assert!(Model::named("fetch-smol").unwrap().javascript().count() == 2);
}

#[test]
fn every_waiting_program_has_its_file_and_a_colour_of_a_row_it_is_like() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for (i, w) in WAITERS.iter().enumerate() {
        assert!(root.join(w.path()).is_file(), "{} has no file", w.name);
        assert_ne!(color(w.like), UNKNOWN, "{} is like no row", w.name);
        assert!(
            WAITERS[i + 1..]
                .iter()
                .all(|o| o.name != w.name && o.color() != w.color())
        );
    }
    assert_eq!(
        Waiter::named("waits-tokio").map(|w| w.language),
        Some(Language::Rust)
    );
}

#[test]
fn a_runtime_of_our_own_is_teaching_code_and_a_discontinued_crate_names_its_successor() {
    for model in MODELS {
        let standing = model.runtime.standing();
        assert_eq!(
            standing == Standing::Teaching,
            matches!(model.runtime, Runtime::Own(_)),
            "{}",
            model.name
        );
    }
    let async_std = Model::named("fetch-async-std").expect("the async-std model");
    let Standing::Discontinued(d) = async_std.runtime.standing() else {
        panic!("async-std is discontinued upstream");
    };
    assert!(Model::named(&format!("fetch-{}", d.instead)).is_some());
    assert_eq!(
        Model::named("fetch-tokio").map(|m| m.runtime.standing()),
        Some(Standing::Maintained)
    );
    for server in SERVERS {
        let model = MODELS.iter().find(|m| m.short == server.short);
        assert_eq!(
            model.and_then(Model::server).map(|s| s.name),
            Some(server.name),
            "every server has the client of its model"
        );
    }
}
