//! How two schemas differ, for people: both rendered as canonical schema YAML and compared
//! line by line as a unified diff (`check` shows it), coloured on a terminal.

use anstyle::{AnsiColor, Style};
use similar::{ChangeTag, TextDiff};

use crate::model::{Directives, Schema};
use crate::output::{self, Stream};
use crate::spec;

const RED: Style = AnsiColor::Red.on_default();
const GREEN: Style = AnsiColor::Green.on_default();
const CYAN: Style = AnsiColor::Cyan.on_default();

/// Lines of unchanged context around each change.
const CONTEXT: usize = 3;

/// Whether to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    Always,
    Never,
}

impl Colour {
    /// Colour for text bound for `stream`, as `--color` (and, for `auto`, the terminal and
    /// `NO_COLOR`) decide.
    pub fn for_stream(stream: Stream) -> Colour {
        match output::colours(stream) {
            true => Colour::Always,
            false => Colour::Never,
        }
    }
}

/// Unified diff of `spec::write(old)` vs `spec::write(new)`, with headers `--- {old_label}` /
/// `+++ {new_label}`, 3 lines of context and hunks `@@ -a,b +c,d @@`; `None` when the two
/// YAML texts are identical. Directives and unmanaged objects are not schema state and are
/// left out. With `Colour::Always`, removed lines are red, added lines green, hunk headers cyan.
pub fn render(
    old: &Schema,
    new: &Schema,
    old_label: &str,
    new_label: &str,
    colour: Colour,
) -> Option<String> {
    let old_text = spec::write(&state_only(old));
    let new_text = spec::write(&state_only(new));
    if old_text == new_text {
        return None;
    }
    let diff = TextDiff::from_lines(&old_text, &new_text);
    let mut out = format!("--- {old_label}\n+++ {new_label}\n");
    for hunk in diff.unified_diff().context_radius(CONTEXT).iter_hunks() {
        push_line(&mut out, &hunk.header().to_string(), Some(CYAN), colour);
        for change in hunk.iter_changes() {
            let (tag, paint) = match change.tag() {
                ChangeTag::Delete => ('-', Some(RED)),
                ChangeTag::Insert => ('+', Some(GREEN)),
                ChangeTag::Equal => (' ', None),
            };
            let value = change.value();
            let line = value.strip_suffix('\n').unwrap_or(value);
            push_line(&mut out, &format!("{tag}{line}"), paint, colour);
            if change.missing_newline() {
                push_line(&mut out, "\\ No newline at end of file", None, colour);
            }
        }
    }
    Some(out)
}

/// A copy of `schema` without what rides along but is not schema state.
fn state_only(schema: &Schema) -> Schema {
    Schema {
        directives: Directives::default(),
        unmanaged: Vec::new(),
        function_users: Default::default(),
        dependents: Default::default(),
        ..schema.clone()
    }
}

/// Appends one line, wrapped in `paint` when colouring.
fn push_line(out: &mut String, line: &str, paint: Option<Style>, colour: Colour) {
    match (paint, colour) {
        (Some(style), Colour::Always) => out.push_str(&format!("{style}{line}{style:#}")),
        _ => out.push_str(line),
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::model::UnmanagedObject;

    fn schema(text: &str) -> Schema {
        spec::parse(text, Path::new("schema.yaml")).unwrap().schema
    }

    const BEFORE: &str = "\
tables:
  students:
    columns:
      id: { type: bigint, identity: by_default }
      full_name: { type: text, nullable: false }
    primary_key: [id]
";

    const AFTER: &str = "\
tables:
  students:
    columns:
      id: { type: bigint, identity: by_default }
      full_name: { type: text, nullable: false }
      email: text
    primary_key: [id]
";

    #[test]
    fn identical_schemas_have_no_diff() {
        let old = schema(BEFORE);
        assert_eq!(render(&old, &old, "a", "b", Colour::Always), None);
        assert_eq!(render(&old, &schema(BEFORE), "a", "b", Colour::Never), None);
        assert_eq!(
            render(
                &Schema::default(),
                &Schema::default(),
                "a",
                "b",
                Colour::Never
            ),
            None
        );
    }

    #[test]
    fn added_column_is_a_plus_line_under_labelled_headers() {
        let diff = render(
            &schema(BEFORE),
            &schema(AFTER),
            "database",
            "schema/schema.yaml",
            Colour::Never,
        );
        let expected = "\
--- database
+++ schema/schema.yaml
@@ -3,4 +3,5 @@
     columns:
       id: { type: bigint, identity: by_default }
       full_name: { type: text, nullable: false }
+      email: text
     primary_key: [id]
";
        assert_eq!(diff.as_deref(), Some(expected));
    }

    #[test]
    fn dropped_column_is_a_minus_line() {
        let diff = render(&schema(AFTER), &schema(BEFORE), "old", "new", Colour::Never).unwrap();
        let changed: Vec<&str> = diff
            .lines()
            .skip(2)
            .filter(|line| line.starts_with(['-', '+']))
            .collect();
        assert_eq!(changed, ["-      email: text"]);
        assert!(
            diff.starts_with("--- old\n+++ new\n@@ -3,5 +3,4 @@\n"),
            "{diff}"
        );
    }

    #[test]
    fn always_colours_removed_added_and_hunk_lines() {
        let before = BEFORE.replace(
            "full_name: { type: text, nullable: false }",
            "full_name: text",
        );
        let diff = render(
            &schema(&before),
            &schema(AFTER),
            "database",
            "schema.yaml",
            Colour::Always,
        );
        let expected = "\
--- database
+++ schema.yaml
\x1b[36m@@ -2,5 +2,6 @@\x1b[0m
   students:
     columns:
       id: { type: bigint, identity: by_default }
\x1b[31m-      full_name: text\x1b[0m
\x1b[32m+      full_name: { type: text, nullable: false }\x1b[0m
\x1b[32m+      email: text\x1b[0m
     primary_key: [id]
";
        assert_eq!(diff.as_deref(), Some(expected));
        let plain = render(
            &schema(&before),
            &schema(AFTER),
            "database",
            "schema.yaml",
            Colour::Never,
        )
        .unwrap();
        let uncoloured = ["\x1b[31m", "\x1b[32m", "\x1b[36m", "\x1b[0m"]
            .iter()
            .fold(expected.to_owned(), |text, code| text.replace(code, ""));
        assert!(!plain.contains('\x1b'), "{plain:?}");
        assert_eq!(plain, uncoloured);
    }

    #[test]
    fn distant_changes_get_separate_hunks_with_three_lines_of_context() {
        let tables = |first: &str, last: &str| {
            let mut text = String::from("tables:\n");
            for (i, extra) in [(0, first), (1, ""), (2, ""), (3, last)] {
                text.push_str(&format!(
                    "  t{i}:\n    columns:\n      a: text\n      b: text\n{extra}"
                ));
            }
            text
        };
        let old = schema(&tables("", ""));
        let new = schema(&tables("      c: text\n", "      d: text\n"));
        let diff = render(&old, &new, "old", "new", Colour::Never).unwrap();
        let hunks: Vec<&str> = diff.lines().filter(|line| line.starts_with("@@")).collect();
        assert_eq!(hunks, ["@@ -3,6 +3,7 @@", "@@ -15,3 +16,4 @@"], "{diff}");
        // Three lines either side of `+      c: text`, not more.
        let first = "\
@@ -3,6 +3,7 @@
     columns:
       a: text
       b: text
+      c: text
   t1:
     columns:
       a: text
@@";
        assert!(diff.contains(first), "{diff}");
        assert!(diff.ends_with("       b: text\n+      d: text\n"), "{diff}");
    }

    #[test]
    fn directives_and_unmanaged_objects_are_not_differences() {
        let renamed = schema(&AFTER.replace(
            "      email: text\n",
            "      email: { type: text, renamed_from: mail }\n",
        ));
        assert!(!renamed.directives.column_renames.is_empty());
        let mut database = schema(AFTER);
        database.unmanaged.push(UnmanagedObject {
            kind: "view".to_owned(),
            name: "public.active_students".to_owned(),
            attached_to: None,
        });
        assert_eq!(
            render(
                &database,
                &renamed,
                "database",
                "schema.yaml",
                Colour::Never
            ),
            None
        );
        // Cleared in what is written, whatever `spec::write` does with them.
        assert_eq!(state_only(&renamed).directives, Directives::default());
        assert!(state_only(&database).unmanaged.is_empty());
        assert_eq!(state_only(&renamed), state_only(&database));
    }
}
