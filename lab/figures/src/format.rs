//! How the documents write numbers: the same figure reads the same in every table.

pub use fetchkit::group;

/// Bytes as MiB: one decimal below 100 MiB, whole MiB up to a GiB, then GiB with one decimal.
pub fn mib(bytes: f64) -> String {
    let mib = bytes / f64::from(1 << 20);
    if mib >= 1024.0 {
        format!("{:.1} GiB", mib / 1024.0)
    } else if mib >= 100.0 {
        format!("{mib:.0} MiB")
    } else {
        format!("{mib:.1} MiB")
    }
}

/// Bytes as KiB, with one decimal.
pub fn kib(bytes: f64) -> String {
    format!("{:.1} KiB", bytes / 1024.0)
}

/// A latency: to a tenth of a millisecond below a second, in whole milliseconds above.
pub fn ms(value: f64) -> String {
    if value >= 1000.0 {
        format!("{} ms", group(value.round() as u64))
    } else {
        format!("{value:.1} ms")
    }
}

/// A figure, or a dash where there is none.
pub fn or_dash(v: Option<String>) -> String {
    v.unwrap_or_else(|| "–".into())
}

/// The median; NaN for no values.
pub fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median([3.0, 1.0, 2.0].into_iter()), 2.0);
        assert_eq!(median([4.0, 1.0, 2.0, 3.0].into_iter()), 2.5);
        assert!(median(std::iter::empty()).is_nan());
    }

    #[test]
    fn sizes_keep_their_precision_where_it_counts() {
        assert_eq!(mib(5.0 * 1024.0 * 1024.0), "5.0 MiB");
        assert_eq!(mib(300.0 * 1024.0 * 1024.0), "300 MiB");
        assert_eq!(mib(2.5 * 1024.0 * 1024.0 * 1024.0), "2.5 GiB");
        assert_eq!(ms(54.54), "54.5 ms");
        assert_eq!(ms(1234.4), "1,234 ms");
    }
}
