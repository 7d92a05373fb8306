//! Where the memory goes: the heap profiles, and what a request in flight costs each model.

use super::*;

/// The site of a heap profile whose text holds `needle`, in KiB per request.
fn heap_site(run: &Results, model: &str, workload: &str, needle: &str) -> Result<f64, Unsupported> {
    let rows: Vec<_> = run
        .heap
        .iter()
        .filter(|r| r.model == model && r.workload == workload)
        .collect();
    need(
        rows.iter()
            .filter(|r| r.site.contains(needle))
            .map(|r| r.kib_per_request)
            .reduce(f64::max),
        format!("a site of {needle} in {model}'s profile of {workload}"),
    )
}

/// The sites of a heap profile whose text holds `needle`, added up, in KiB per request.
fn heap_sum(run: &Results, model: &str, workload: &str, needle: &str) -> Result<f64, Unsupported> {
    let sum: f64 = run
        .heap
        .iter()
        .filter(|r| r.model == model && r.workload == workload)
        .filter(|r| r.site.contains(needle))
        .map(|r| r.kib_per_request)
        .sum();
    holds!(
        sum > 0.0,
        "no site of {needle} in {model}'s profile of {workload}"
    );
    Ok(sum)
}

fn heap_total(run: &Results, model: &str, workload: &str) -> Result<f64, Unsupported> {
    let total: f64 = run
        .heap
        .iter()
        .filter(|r| r.model == model && r.workload == workload)
        .map(|r| r.kib_per_request)
        .sum();
    holds!(total > 0.0, "no profile of {model} on {workload}");
    Ok(total)
}

/// The profile's workload of 1 KiB bodies (`sweep-N`) and of the pages, where there are.
fn profile_workload(run: &Results, model: &str, stem: &str) -> Result<String, Unsupported> {
    need(
        run.heap
            .iter()
            .find(|r| r.model == model && r.workload.starts_with(stem))
            .map(|r| r.workload.clone()),
        format!("a heap profile of {model}"),
    )
}

/// Where the memory goes: the heap profiles.
pub fn heap(run: &Results) -> Claim {
    let mut t = String::new();
    for model in ["fetch-smol", "fetch-tokio"] {
        let workload = profile_workload(run, model, "sweep")?;
        let total = heap_total(run, model, &workload)?;
        // hyper's `Buffered::new`, the write buffer; its read buffer is `poll_read_from_io`.
        let write = heap_site(run, model, &workload, "proto/h1/io.rs:65)")?;
        let channel = heap_site(run, model, &workload, "mpsc")?;
        holds!(
            (6.0..=10.0).contains(&write) && (6.0..=10.0).contains(&channel),
            "{model}'s fixed blocks are {write:.1} and {channel:.1} KiB, not about 8"
        );
        t.push_str(&format!(
            "- **{} (hyper), {:.1} KiB of heap per request.** {:.1} KiB is the buffer hyper \
             writes the request head into, allocated whole for every connection. {:.1} KiB is \
             the first block of hyper's request channel per connection: a block of tokio's mpsc, \
             though one request ever goes through it.\n",
            name(model),
            total,
            write,
            channel
        ));
    }
    let workload = profile_workload(run, "fetch-async-std", "sweep")?;
    let total = heap_total(run, "fetch-async-std", &workload)?;
    let boxed = heap_site(run, "fetch-async-std", &workload, "async_trait")
        .or_else(|_| heap_site(run, "fetch-async-std", &workload, "send"))?;
    t.push_str(&format!(
        "- **async-std (surf over async-h1), {total:.1} KiB.** {boxed:.1} KiB is its largest \
         site, the boxed future of the backend's `send`. `HttpClient` is an `async_trait`, so \
         every request's whole async-h1 state machine is boxed.\n"
    ));
    let pages = profile_workload(run, "fetch-tokio", "pages")?;
    let total = heap_total(run, "fetch-tokio", &pages)?;
    let read = heap_sum(run, "fetch-tokio", &pages, "poll_read_from_io")?;
    holds!(
        read > total * 0.4,
        "hyper's read buffer is {read:.1} of {total:.1} KiB, not the largest part"
    );
    t.push_str(&format!(
        "- **tokio with the talk's pages, {total:.1} KiB.** {read:.1} KiB of it, the largest \
         part, is hyper's adaptive read buffer, grown with the page.\n"
    ));
    Ok(t)
}

/// MODELS.md's costs: what a request in flight holds, model by model.
pub fn costs(run: &Results) -> Claim {
    let (_, n) = sweep_top(run, "sweep")?;
    let top = format!("sweep-{n}");
    let all = run.clients.all_at_once();
    let per = each(run, &top, &all, pick::per_request)?;
    let mut t = format!(
        "Peak RSS per request in flight at N = {} with 1 KiB bodies, in the committed run. \
         [RESULTS.md](RESULTS.md) has every N and the heap profiles.\n\n\
         | model | per request in flight |\n|---|---:|\n",
        group(n)
    );
    for (m, v) in &per {
        t.push_str(&format!("| {} | {} |\n", name(m), kib(*v)));
    }
    let tasks: Vec<f64> = ["fetch-smol", "fetch-tokio", "fetch-async-std"]
        .iter()
        .filter_map(|m| {
            let workload = profile_workload(run, m, "sweep").ok()?;
            run.heap
                .iter()
                .filter(|r| r.model == *m && r.workload == workload)
                .filter(|r| r.site.contains("task"))
                .map(|r| r.kib_per_request)
                .reduce(f64::max)
        })
        .collect();
    if let Ok(tasks) = span_of(&tasks, "the tasks", |v| format!("{v:.1} KiB")) {
        t.push_str(&format!(
            "\nThe task itself is a small part of a runtime's cost: {tasks} of heap in the \
             profiles. The rest is the HTTP client's buffers for its connection.\n"
        ));
    }
    Ok(t)
}
