//! How long the generated sentences run. A reader's page aims at about 20 words a sentence and
//! none past 45; the test below holds the pages to it, counting as a reader would: the text of
//! the generated sections, tables, images and code left out, each list item a sentence of its
//! own, a sentence ending at a full stop, a question or an exclamation mark followed by a space.

/// The pages whose generated sections are counted.
const PAGES: [&str; 5] = [
    "README.md",
    "docs/RESULTS.md",
    "docs/SERVERS.md",
    "docs/WAITS.md",
    "docs/MODELS.md",
];

/// The sentences of a page's generated sections.
pub fn sentences(page: &str) -> Vec<String> {
    let mut depth = 0i32;
    let mut code = false;
    // Paragraphs and list items, each a run of lines.
    let mut blocks: Vec<String> = vec![String::new()];
    for line in page.lines() {
        if line.starts_with("```") {
            code = !code;
            continue;
        }
        let trimmed = line.trim();
        if let Some(marker) = trimmed
            .strip_prefix("<!-- ")
            .and_then(|m| m.strip_suffix(" -->"))
            .filter(|m| is_section_marker(m))
        {
            depth += if marker.starts_with('/') { -1 } else { 1 };
            continue;
        }
        if depth <= 0 || code || trimmed.starts_with(['|', '<']) || trimmed.starts_with("![") {
            continue;
        }
        let item = list_item(trimmed);
        if trimmed.is_empty() || item.is_some() {
            blocks.push(String::new());
        }
        let text = blocks.last_mut().expect("a block");
        text.push(' ');
        text.push_str(item.unwrap_or(trimmed));
    }
    blocks
        .iter()
        .flat_map(|block| split(&plain(block)))
        .filter(|s| s.split_whitespace().count() >= 3)
        .collect()
}

/// `KIND:NAME` or `/KIND:NAME`, the markers of a generated section (not `ANCHOR: x`).
fn is_section_marker(marker: &str) -> bool {
    let name = marker.strip_prefix('/').unwrap_or(marker);
    match name.split_once(':') {
        Some((kind, section)) => {
            let word = |s: &str| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
            };
            word(kind) && word(section)
        }
        None => false,
    }
}

/// The text of a list item (`- x`, `* x`, `1. x`), or `None` for a line that starts none.
fn list_item(line: &str) -> Option<&str> {
    if let Some(rest) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
        return Some(rest.trim_start());
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 {
        return line[digits..].strip_prefix(". ").map(str::trim_start);
    }
    None
}

/// The text a reader reads: code spans as one word, links as their text.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '`' {
            if let Some(end) = rest[1..].find('`') {
                out.push('X');
                rest = &rest[end + 2..];
                continue;
            }
        }
        if c == ']' && rest[1..].starts_with('(') {
            if let Some(end) = rest.find(')') {
                rest = &rest[end + 1..];
                continue;
            }
        }
        if c != '[' {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// A paragraph's sentences: each ends at `.`, `?` or `!` followed by white space.
fn split(text: &str) -> Vec<String> {
    let mut sentences = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        current.push(c);
        if matches!(c, '.' | '?' | '!') && chars.peek().is_some_and(|n| n.is_whitespace()) {
            sentences.push(current.trim().to_string());
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        sentences.push(current.trim().to_string());
    }
    sentences
}

/// The words of a sentence.
pub fn words(sentence: &str) -> usize {
    sentence.split_whitespace().count()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn sentences_are_counted_as_a_reader_reads_them() {
        let page = "Hand-written. Not counted at all here.\n\
                    <!-- x:y -->\n\
                    | a | table | is | left | out |\n\
                    One sentence of five words. And [a link](z.md) with `code` here!\n\
                    - An item of its own\n\
                    - and another, with 1.5 s in it.\n\
                    ```text\nnot counted in a block at all\n```\n\
                    <!-- /x:y -->\n\
                    <!-- ANCHOR: z -->\nNot counted either, outside.\n";
        assert_eq!(
            sentences(page),
            [
                "One sentence of five words.",
                "And a link with X here!",
                "An item of its own",
                "and another, with 1.5 s in it.",
            ]
        );
    }

    #[test]
    fn the_generated_prose_reads_in_short_sentences() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut all = Vec::new();
        for page in PAGES {
            let text = std::fs::read_to_string(root.join(page)).expect("the page");
            all.extend(sentences(&text).into_iter().map(|s| (page, s)));
        }
        let counts: Vec<usize> = all.iter().map(|(_, s)| words(s)).collect();
        let mean = counts.iter().sum::<usize>() as f64 / counts.len() as f64;
        let long: Vec<String> = all
            .iter()
            .filter(|(_, s)| words(s) > 45)
            .map(|(page, s)| format!("{page} ({} words): {s}", words(s)))
            .collect();
        assert!(
            mean <= 22.0 && long.is_empty(),
            "{} sentences average {mean:.1} words (at most 22); over 45 words:\n{}",
            counts.len(),
            long.join("\n")
        );
    }
}
