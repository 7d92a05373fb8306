//! A page of docs/ whose tables are generated: each table sits between two markers,
//! `<!-- KIND:NAME -->` and `<!-- /KIND:NAME -->`, and the prose around them is left as it is.

use std::path::Path;

use anyhow::{Context, bail};

/// A page's text, or an error naming the page.
pub fn read(file: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))
}

/// `page` with each table put between its markers; every table must have its markers.
pub fn fill(page: &str, kind: &str, tables: &[(&str, String)]) -> anyhow::Result<String> {
    let mut page = page.to_string();
    for (name, table) in tables {
        let (open, close) = (
            format!("<!-- {kind}:{name} -->\n"),
            format!("<!-- /{kind}:{name} -->"),
        );
        let Some(start) = page.find(&open).map(|i| i + open.len()) else {
            bail!("no {open:?} marker");
        };
        let Some(end) = page[start..].find(&close).map(|i| i + start) else {
            bail!("no {close:?} marker after {open:?}");
        };
        page.replace_range(start..end, table);
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_go_between_their_markers_and_nowhere_else() {
        let page = "intro\n<!-- results:sites -->\nold\n<!-- /results:sites -->\nafter\n";
        let filled = fill(page, "results", &[("sites", "new\n".to_string())]).unwrap();
        assert_eq!(
            filled,
            "intro\n<!-- results:sites -->\nnew\n<!-- /results:sites -->\nafter\n"
        );
        assert!(fill("no markers", "results", &[("sites", String::new())]).is_err());
    }
}
