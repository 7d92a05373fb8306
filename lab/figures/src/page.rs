//! A page of docs/ whose tables are generated: each table sits between two markers,
//! `<!-- KIND:NAME -->` and `<!-- /KIND:NAME -->`, and the prose around them is left as it is.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};

/// The flags of a page's generator: where the tables go.
#[derive(Debug, clap::Args)]
pub struct Output {
    /// Write the tables into FILE, between their markers.
    #[arg(long, value_name = "FILE")]
    pub write: Option<std::path::PathBuf>,
    /// Check the tables of FILE against the run; exit 1 if any is out of date.
    #[arg(long, value_name = "FILE", conflicts_with = "write")]
    pub check: Option<std::path::PathBuf>,
}

/// The first lines of a page's setup: the machine and the code of a run, from the `machine`
/// object of its `machine.json`.
pub fn machine_and_code(m: &serde_json::Value) -> String {
    let text = |key: &str| m[key].as_str().unwrap_or("?").to_string();
    let gib = m["memory_bytes"].as_f64().unwrap_or(0.0) / f64::from(1 << 30);
    format!(
        "- **Machine:** {} cores ({}), {gib:.1} GiB memory, {}, Linux {}, {}, open-file limit {}.\n\
         - **Code:** commit `{}`, release build, run on {}.\n",
        m["cores"],
        text("cpu"),
        text("os"),
        text("kernel"),
        text("rustc"),
        m["fd_limit"],
        text("commit"),
        text("date"),
    )
}

/// What to do with the tables: write them into a page, check a page against them, or print them.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    Write(&'a Path),
    Check(&'a Path),
    Print,
}

impl<'a> Action<'a> {
    /// The action of `--write FILE` and `--check FILE`; printing when neither is given.
    pub fn of(output: &'a Output) -> Action<'a> {
        match (output.write.as_deref(), output.check.as_deref()) {
            (Some(file), _) => Action::Write(file),
            (None, Some(file)) => Action::Check(file),
            (None, None) => Action::Print,
        }
    }

    /// Does it, for the tables of `kind` generated from `from`; `regenerate` is the command that
    /// writes them, named when a check fails.
    pub fn run(
        self,
        kind: &str,
        tables: &[(&str, String)],
        from: &Path,
        regenerate: &str,
    ) -> anyhow::Result<ExitCode> {
        match self {
            Action::Write(file) => {
                let page = read(file)?;
                std::fs::write(file, fill(&page, kind, tables)?)?;
                println!("wrote the tables of {}", file.display());
            }
            Action::Check(file) => {
                let page = read(file)?;
                if fill(&page, kind, tables)? != page {
                    eprintln!(
                        "the tables of {} do not match the run in {}: regenerate them with\n  \
                         {regenerate} --write {}",
                        file.display(),
                        from.display(),
                        file.display()
                    );
                    return Ok(ExitCode::FAILURE);
                }
                println!("the tables of {} match the run", file.display());
            }
            Action::Print => {
                for (name, table) in tables {
                    println!("<!-- {kind}:{name} -->\n{table}<!-- /{kind}:{name} -->\n");
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}

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

/// A CSV line's fields, with `"..."` quoting as the comparison writes it.
pub fn fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// The rows of a CSV file with a header line, each as a lookup by column name.
pub fn rows(csv: &str) -> Vec<Row> {
    let mut lines = csv.lines();
    let header = fields(lines.next().unwrap_or(""));
    lines
        .filter(|l| !l.is_empty())
        .map(|line| Row {
            header: header.clone(),
            values: fields(line),
        })
        .collect()
}

/// A row of a CSV file.
#[derive(Debug, Clone)]
pub struct Row {
    header: Vec<String>,
    values: Vec<String>,
}

impl Row {
    /// The row's value in the column `name`; empty where there is none.
    pub fn get(&self, name: &str) -> &str {
        self.header
            .iter()
            .position(|h| h == name)
            .and_then(|i| self.values.get(i))
            .map_or("", String::as_str)
    }

    /// The value as a number, where it is one.
    pub fn num(&self, name: &str) -> Option<f64> {
        self.get(name).parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_keep_their_commas_and_quotes() {
        assert_eq!(
            fields(r#"a,"b, c","say ""hi""",,d"#),
            ["a", "b, c", r#"say "hi""#, "", "d"]
        );
    }

    #[test]
    fn rows_are_read_by_column_name() {
        let rows = rows("a,b\n1,x\n\n2,\n");
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].num("a"), rows[0].get("b")), (Some(1.0), "x"));
        assert_eq!((rows[1].get("b"), rows[1].get("c")), ("", ""));
    }

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
