//! How the documents' sentences write figures: seconds, spans, ratios, per cents, lists, and the
//! programs' names, the same in every sentence as [`crate::format`] makes them the same in every
//! table.

/// Seconds as a sentence writes them: three decimals below ten, two below a hundred, then whole.
pub fn s(value: f64) -> String {
    if value < 10.0 {
        format!("{value:.3} s")
    } else if value < 100.0 {
        format!("{value:.2} s")
    } else {
        format!("{} s", crate::format::group(value.round() as u64))
    }
}

/// A span of figures: `a to b unit`, or `a unit` where both write the same.
pub fn span(low: f64, high: f64, write: impl Fn(f64) -> String) -> String {
    let (a, b) = (write(low.min(high)), write(low.max(high)));
    if a == b {
        return a;
    }
    // One unit for both ends where they share it: "1.5 to 2.3 s", not "1.5 s to 2.3 s".
    match (a.rsplit_once(' '), b.rsplit_once(' ')) {
        (Some((x, unit_a)), Some((_, unit_b))) if unit_a == unit_b => format!("{x} to {b}"),
        _ => format!("{a} to {b}"),
    }
}

/// The least and the greatest of some figures.
pub fn extremes(values: &[f64]) -> Option<(f64, f64)> {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let low = finite.iter().copied().reduce(f64::min)?;
    let high = finite.iter().copied().reduce(f64::max)?;
    Some((low, high))
}

/// A ratio as a sentence writes it: `1.9 times`.
pub fn times(ratio: f64) -> String {
    if ratio >= 10.0 {
        format!("{ratio:.0} times")
    } else {
        format!("{ratio:.1} times")
    }
}

/// `a`, `a and b`, `a, b and c`.
pub fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A model's or a server's name as the prose writes it: the project's own loops by what they
/// are, the others by their short names (`tokio`), with the flags of a setup.
pub fn name(program: &str) -> String {
    let short = catalogue::short(program);
    match catalogue::program(program) {
        "fetch-reactor" | "serve-reactor" => short.replacen("reactor", "the reactor", 1),
        "fetch-green" => "the green threads".into(),
        "serve-green" => short.replacen("green", "the green hub", 1),
        _ => short,
    }
}

/// `name`'s, or `names'`.
pub fn possessive(name: &str) -> String {
    if name.ends_with('s') {
        format!("{name}'")
    } else {
        format!("{name}'s")
    }
}

/// A per cent: whole from one per cent on, to a tenth below.
pub fn percent(share: f64) -> String {
    if (100.0 * share).abs() < 1.0 {
        format!("{:.1}%", 100.0 * share)
    } else {
        format!("{:.0}%", 100.0 * share)
    }
}

/// A sentence's first letter as a capital: `Threads did not`.
pub fn capital(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or(String::new(), |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A count of cores as a sentence writes it: `1 core`, `16 cores`.
pub fn cores(n: u32) -> String {
    match n {
        1 => "1 core".into(),
        n => format!("{n} cores"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_share_their_unit_and_collapse_when_equal() {
        assert_eq!(span(1.5, 2.25, s), "1.500 to 2.250 s");
        assert_eq!(span(2.0, 2.0001, s), "2.000 s");
        assert_eq!(span(3.0, 1.0, |v| format!("{v:.0} MiB")), "1 to 3 MiB");
        assert_eq!(list(&["a".into(), "b".into(), "c".into()]), "a, b and c");
        assert_eq!(possessive("the green threads"), "the green threads'");
        assert_eq!(name("fetch-reactor"), "the reactor");
        assert_eq!(percent(0.004), "0.4%");
    }
}
