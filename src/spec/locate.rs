//! Finds the line of a YAML path (`tables.students.indexes.students_email_idx`) in the text.
//!
//! serde_yaml 0.9 has no span API, so after deserialization we walk block-style mappings and
//! sequences by indentation. Inside flow collections (`{ ... }`) it stops and answers with the
//! deepest key it found. Pure text scanning; never fails, only answers `None`.

use std::fmt;

use crate::error::Location;

/// A path into the YAML document, printed like serde_yaml prints its own: `a.b[2].c`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YamlPath(Vec<Segment>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

impl YamlPath {
    pub fn key(&self, key: &str) -> YamlPath {
        let mut path = self.clone();
        path.0.push(Segment::Key(key.to_owned()));
        path
    }

    pub fn index(&self, index: usize) -> YamlPath {
        let mut path = self.clone();
        path.0.push(Segment::Index(index));
        path
    }
}

impl fmt::Display for YamlPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (segment_idx, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if segment_idx == 0 => write!(f, "{key}")?,
                Segment::Key(key) => write!(f, ".{key}")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// One significant line: its 1-based number, the 0-based char column where `text` starts.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    number: usize,
    indent: usize,
    text: &'a str,
}

/// The significant lines of a document, ready for repeated lookups.
#[derive(Debug)]
pub struct Locator<'a> {
    lines: Vec<Line<'a>>,
}

impl<'a> Locator<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut lines = Vec::new();
        // Lines of a block scalar (`comment: |`) are text, however much they look like keys.
        let mut block_scalar_indent: Option<usize> = None;
        for (line_idx, raw_line) in text.lines().enumerate() {
            let content = raw_line.trim_start_matches(' ');
            let indent = raw_line.len() - content.len();
            let content = content.trim_end();
            if content.is_empty() {
                continue;
            }
            if let Some(scalar_indent) = block_scalar_indent {
                if indent > scalar_indent {
                    continue;
                }
                block_scalar_indent = None;
            }
            if content.starts_with('#')
                || content.starts_with("---")
                || content.starts_with("...")
                || content.starts_with('%')
            {
                continue;
            }
            if starts_block_scalar(content) {
                block_scalar_indent = Some(indent);
            }
            lines.push(Line {
                number: line_idx + 1,
                indent,
                text: content,
            });
        }
        Locator { lines }
    }

    /// Where the deepest found segment of `path` starts, or `None` if not even the first is found.
    pub fn locate(&self, path: &YamlPath) -> Option<Location> {
        let mut block: Vec<Line> = self.lines.clone();
        let mut found = None;
        for segment in &path.0 {
            let Some(first) = block.first() else { break };
            let indent = first.indent;
            let siblings = block
                .iter()
                .enumerate()
                .filter(|(_, line)| line.indent == indent);
            let hit = match segment {
                Segment::Key(key) => siblings
                    .filter(|(_, line)| {
                        mapping_key(line.text).is_some_and(|(text, _)| text == *key)
                    })
                    .map(|(line_idx, _)| line_idx)
                    .next(),
                Segment::Index(index) => siblings
                    .filter(|(_, line)| is_sequence_item(line.text))
                    .map(|(line_idx, _)| line_idx)
                    .nth(*index),
            };
            let Some(line_idx) = hit else { break };
            let line = block[line_idx];
            found = Some(Location {
                line: line.number,
                column: line.indent + 1,
            });
            block = match segment {
                Segment::Key(_) => key_value_block(&block, line_idx),
                Segment::Index(_) => item_block(&block, line_idx),
            };
        }
        found
    }
}

/// The lines holding the value of the key at `block[key_idx]` when that value is a block
/// collection; empty when the value sits on the key's line.
fn key_value_block<'a>(block: &[Line<'a>], key_idx: usize) -> Vec<Line<'a>> {
    let key_line = block[key_idx];
    let inline_value = mapping_key(key_line.text).map_or("", |(_, value)| value);
    if !is_empty_value(inline_value) {
        return Vec::new();
    }
    // A block sequence may sit at the same indentation as its key.
    block[key_idx + 1..]
        .iter()
        .take_while(|line| {
            line.indent > key_line.indent
                || (line.indent == key_line.indent && is_sequence_item(line.text))
        })
        .copied()
        .collect()
}

/// The lines of the sequence item at `block[item_idx]`; its first line starts after `- `.
fn item_block<'a>(block: &[Line<'a>], item_idx: usize) -> Vec<Line<'a>> {
    let item_line = block[item_idx];
    let mut lines = Vec::new();
    let after_dash = &item_line.text[1..];
    let content = after_dash.trim_start_matches(' ');
    if !is_empty_value(content) {
        lines.push(Line {
            number: item_line.number,
            indent: item_line.indent + 1 + after_dash.len() - content.len(),
            text: content,
        });
    }
    lines.extend(
        block[item_idx + 1..]
            .iter()
            .take_while(|line| line.indent > item_line.indent),
    );
    lines
}

fn is_sequence_item(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

/// True for a value that leaves the content to the following lines: nothing, a comment,
/// or only an anchor or tag.
fn is_empty_value(value: &str) -> bool {
    let value = value.trim();
    value.is_empty()
        || value.starts_with('#')
        || ((value.starts_with('&') || value.starts_with('!')) && !value.contains(' '))
}

/// `key: |`, `- >-`, `text: |2` and the like start a block scalar.
fn starts_block_scalar(text: &str) -> bool {
    let last_token = text.rsplit(' ').next().unwrap_or(text);
    let is_indicator = last_token.starts_with(['|', '>'])
        && last_token[1..]
            .chars()
            .all(|c| matches!(c, '-' | '+' | '0'..='9'));
    is_indicator
        && (last_token.len() == text.len()
            || text.ends_with(&format!(": {last_token}"))
            || text.ends_with(&format!("- {last_token}")))
}

/// Splits `key: value` into the unquoted key and the raw value text; `None` if the line is
/// not a block mapping entry.
fn mapping_key(text: &str) -> Option<(String, &str)> {
    let (key, rest) = if let Some(quoted) = text.strip_prefix('"') {
        double_quoted(quoted)?
    } else if let Some(quoted) = text.strip_prefix('\'') {
        single_quoted(quoted)?
    } else {
        // Sequence items, explicit keys, flow collections, aliases and such are not plain keys.
        if is_sequence_item(text) || text.starts_with(['?', '[', '{', '#', '|', '>', '&', '*', '!'])
        {
            return None;
        }
        let colon = find_value_indicator(text)?;
        let key = text[..colon].trim_end();
        if key.contains(" #") {
            return None;
        }
        return Some((key.to_owned(), &text[colon + 1..]));
    };
    let rest = rest.trim_start_matches(' ');
    let value = rest.strip_prefix(':')?;
    (value.is_empty() || value.starts_with([' ', '\t'])).then_some((key, value))
}

/// Byte offset of the `:` that ends a plain key (followed by a space or the end of the line).
fn find_value_indicator(text: &str) -> Option<usize> {
    text.char_indices()
        .find(|&(idx, c)| {
            c == ':'
                && text[idx + 1..]
                    .chars()
                    .next()
                    .is_none_or(|next| next == ' ' || next == '\t')
        })
        .map(|(idx, _)| idx)
}

fn double_quoted(text: &str) -> Option<(String, &str)> {
    let mut key = String::new();
    let mut chars = text.char_indices();
    while let Some((idx, c)) = chars.next() {
        match c {
            '"' => return Some((key, &text[idx + 1..])),
            '\\' => match chars.next()?.1 {
                'n' => key.push('\n'),
                't' => key.push('\t'),
                other => key.push(other),
            },
            other => key.push(other),
        }
    }
    None
}

fn single_quoted(text: &str) -> Option<(String, &str)> {
    let mut key = String::new();
    let mut chars = text.char_indices();
    while let Some((idx, c)) = chars.next() {
        if c != '\'' {
            key.push(c);
        } else if text[idx + 1..].starts_with('\'') {
            key.push('\'');
            chars.next();
        } else {
            return Some((key, &text[idx + 1..]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"# a comment
tables:
  "billing.invoices":
    comment: |
      columns: not a key
    columns:
      id: { type: bigint }
      'it''s': text
  students:
    columns:
      id:
        type: bigint
        identity: always
    unique:
    - [id]
    -   columns: [id]
        nulls_not_distinct: true
    indexes:
      - { columns: [id] }
enums:
  status: [a, b]
"#;

    fn locate(path: &YamlPath) -> Option<(usize, usize)> {
        Locator::new(TEXT)
            .locate(path)
            .map(|location| (location.line, location.column))
    }

    #[test]
    fn walks_block_mappings() {
        let tables = YamlPath::default().key("tables");
        assert_eq!(locate(&tables), Some((2, 1)));
        assert_eq!(
            locate(&tables.key("billing.invoices").key("columns")),
            Some((6, 5))
        );
        assert_eq!(
            locate(&tables.key("billing.invoices").key("columns").key("it's")),
            Some((8, 7))
        );
        assert_eq!(
            locate(
                &tables
                    .key("students")
                    .key("columns")
                    .key("id")
                    .key("identity")
            ),
            Some((13, 9))
        );
        assert_eq!(
            locate(&YamlPath::default().key("enums").key("status")),
            Some((21, 3))
        );
    }

    #[test]
    fn walks_sequences() {
        let students = YamlPath::default().key("tables").key("students");
        assert_eq!(locate(&students.key("unique").index(1)), Some((16, 5)));
        assert_eq!(
            locate(&students.key("unique").index(1).key("nulls_not_distinct")),
            Some((17, 9))
        );
        assert_eq!(locate(&students.key("indexes").index(0)), Some((19, 7)));
    }

    #[test]
    fn falls_back_to_the_deepest_key() {
        let id = YamlPath::default()
            .key("tables")
            .key("billing.invoices")
            .key("columns")
            .key("id");
        assert_eq!(locate(&id.key("type")), Some((7, 7)));
        assert_eq!(
            locate(&YamlPath::default().key("tables").key("nope")),
            Some((2, 1))
        );
        assert_eq!(locate(&YamlPath::default().key("nope")), None);
        // The block scalar's content is not a key of `billing.invoices`.
        let invoices = YamlPath::default().key("tables").key("billing.invoices");
        assert_eq!(
            locate(&invoices.key("comment").key("columns")),
            Some((4, 5))
        );
    }

    #[test]
    fn prints_like_serde_yaml() {
        let path = YamlPath::default()
            .key("tables")
            .key("users")
            .key("indexes")
            .index(1)
            .key("columns")
            .index(0);
        assert_eq!(path.to_string(), "tables.users.indexes[1].columns[0]");
    }
}
