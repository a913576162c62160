//! Finds the line of a YAML path (`tables.students.indexes.students_email_idx`) in the text.
//!
//! yaml_serde has no span API, so after deserialization we walk block-style mappings and
//! sequences by indentation. Inside flow collections (`{ ... }`) it stops and answers with the
//! deepest key it found. Pure text scanning; never fails, only answers `None`.

use std::collections::BTreeMap;
use std::fmt;

use crate::error::Location;
use crate::fs::MAX_NESTING_DEPTH;

/// A path into the YAML document, printed like yaml_serde prints its own: `a.b[2].c`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YamlPath(Vec<Segment>);

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
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

/// Every block-style key and sequence item of a document, indexed by path in one pass, so a
/// lookup costs the length of its path rather than a scan of the document.
#[derive(Debug)]
pub struct Locator {
    /// Node 0 is the document; every other node is a key or an item, where it starts.
    nodes: Vec<Node>,
}

#[derive(Debug)]
struct Node {
    location: Location,
    children: BTreeMap<Segment, usize>,
}

/// A block: its lines in order, the first possibly the text after an item's `- `.
#[derive(Clone, Copy)]
struct Block<'b, 'a> {
    first: Option<Line<'a>>,
    rest: &'b [Line<'a>],
}

impl<'b, 'a> Block<'b, 'a> {
    fn lines(self) -> impl Iterator<Item = Line<'a>> + 'b
    where
        'a: 'b,
    {
        self.first.into_iter().chain(self.rest.iter().copied())
    }

    /// The lines after the `line_idx`th.
    fn after(self, line_idx: usize) -> &'b [Line<'a>] {
        let skipped = line_idx + 1 - usize::from(self.first.is_some());
        &self.rest[skipped..]
    }
}

impl Locator {
    pub fn new(text: &str) -> Self {
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
        let mut locator = Locator {
            nodes: vec![Node {
                location: Location { line: 0, column: 0 },
                children: BTreeMap::new(),
            }],
        };
        let document = Block {
            first: None,
            rest: &lines,
        };
        locator.index(0, document, 0);
        locator
    }

    /// Where the deepest found segment of `path` starts, or `None` if not even the first is found.
    pub fn locate(&self, path: &YamlPath) -> Option<Location> {
        let mut node_idx = 0;
        let mut found = None;
        for segment in &path.0 {
            let Some(&child_idx) = self.nodes[node_idx].children.get(segment) else {
                break;
            };
            node_idx = child_idx;
            found = Some(self.nodes[node_idx].location);
        }
        found
    }

    /// Adds the keys and items of `block` below `parent`. Siblings are the lines at the first
    /// line's indentation; a repeated key keeps its first position and its own lines are
    /// left out. Each line is visited once per enclosing block, and blocks deeper than any
    /// schema needs (`MAX_NESTING_DEPTH`) are not indexed, which bounds the work.
    fn index(&mut self, parent_idx: usize, block: Block<'_, '_>, depth: usize) {
        let Some(first) = block.lines().next() else {
            return;
        };
        if depth >= MAX_NESTING_DEPTH {
            return;
        }
        let mut n_items = 0;
        for (line_idx, line) in block.lines().enumerate() {
            if line.indent != first.indent {
                continue;
            }
            let (segment, child) = if let Some((key, value)) = mapping_key(line.text) {
                (
                    Segment::Key(key),
                    key_value_block(line, value, block.after(line_idx)),
                )
            } else if is_sequence_item(line.text) {
                n_items += 1;
                (
                    Segment::Index(n_items - 1),
                    item_block(line, block.after(line_idx)),
                )
            } else {
                continue;
            };
            if self.nodes[parent_idx].children.contains_key(&segment) {
                continue;
            }
            let node_idx = self.nodes.len();
            self.nodes.push(Node {
                location: Location {
                    line: line.number,
                    column: line.indent + 1,
                },
                children: BTreeMap::new(),
            });
            self.nodes[parent_idx].children.insert(segment, node_idx);
            self.index(node_idx, child, depth + 1);
        }
    }
}

/// The lines holding the value of `key_line` when that value is a block collection; none
/// when the value sits on the key's line.
fn key_value_block<'b, 'a>(
    key_line: Line<'a>,
    inline_value: &str,
    after: &'b [Line<'a>],
) -> Block<'b, 'a> {
    let n_lines = match is_empty_value(inline_value) {
        // A block sequence may sit at the same indentation as its key.
        true => after
            .iter()
            .take_while(|line| {
                line.indent > key_line.indent
                    || (line.indent == key_line.indent && is_sequence_item(line.text))
            })
            .count(),
        false => 0,
    };
    Block {
        first: None,
        rest: &after[..n_lines],
    }
}

/// The lines of the sequence item on `item_line`; its first line starts after `- `.
fn item_block<'b, 'a>(item_line: Line<'a>, after: &'b [Line<'a>]) -> Block<'b, 'a> {
    let after_dash = &item_line.text[1..];
    let content = after_dash.trim_start_matches(' ');
    let first = (!is_empty_value(content)).then_some(Line {
        number: item_line.number,
        indent: item_line.indent + 1 + after_dash.len() - content.len(),
        text: content,
    });
    let n_lines = after
        .iter()
        .take_while(|line| line.indent > item_line.indent)
        .count();
    Block {
        first,
        rest: &after[..n_lines],
    }
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
    fn prints_like_yaml_serde() {
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
