//! A revision file divided into steps by marker lines: each step runs in a transaction of
//! its own, or alone outside any (`CREATE INDEX CONCURRENTLY`), so a reviewer sees in the
//! file which statements commit together. The planner writes the markers, the runner reads
//! them; a file without markers is one step in a transaction.

use std::path::Path;

use crate::error::{Error, Location, Result};
use crate::syntax::statements::{split_with_directives, FileStatement};

/// The marker line that starts a step run in a transaction of its own.
pub const IN_TRANSACTION: &str = "-- autogen:step in-transaction";
/// The marker line that starts a step of one statement run with no transaction block.
pub const OUTSIDE_TRANSACTION: &str = "-- autogen:step outside-transaction";

/// How a step runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transaction {
    Inside,
    Outside,
}

impl Transaction {
    /// The marker line that begins a step of this kind.
    pub fn marker(self) -> &'static str {
        match self {
            Transaction::Inside => IN_TRANSACTION,
            Transaction::Outside => OUTSIDE_TRANSACTION,
        }
    }
}

/// One step of a revision file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStep {
    pub transaction: Transaction,
    /// 1-based line of its marker; 1 for a file without markers.
    pub line: usize,
    /// Its part of the file, marker line included (the header comments go with the first
    /// step): what `upgrade --sql` prints.
    pub text: String,
    pub statements: Vec<FileStatement>,
}

/// Splits a revision file into steps. Statements before the first marker form an
/// in-transaction step (dropped when there are none, as in a file that starts with a
/// marker after its header); a file without statements is one empty step, so its
/// revision is still recorded. Refuses, at the line, a `-- autogen:` comment that is not a
/// marker or not alone on its line, a marker inside a statement, and an
/// outside-transaction step without exactly one statement.
pub fn split_steps(text: &str, path: &Path) -> Result<Vec<FileStep>> {
    let (statements, directives) = split_with_directives(text, path)?;
    let at = |line: usize, message: String| {
        Error::input(path, Some(Location { line, column: 1 }), message)
    };
    let mut markers = Vec::new();
    for directive in &directives {
        let transaction = match directive.text.as_str() {
            IN_TRANSACTION => Transaction::Inside,
            OUTSIDE_TRANSACTION => Transaction::Outside,
            _ => {
                return Err(at(
                    directive.line,
                    format!(
                        "unknown marker `{}`\n  hint: a step starts with `{IN_TRANSACTION}` or \
                         `{OUTSIDE_TRANSACTION}`, alone on its line",
                        crate::guard::printable(&directive.text)
                    ),
                ))
            }
        };
        if !directive.alone || directive.inside_statement {
            return Err(at(
                directive.line,
                format!(
                    "the marker `{}` must be alone on its line, between statements\n  hint: \
                     end the statement before it with `;`",
                    directive.text
                ),
            ));
        }
        markers.push((transaction, directive.line, directive.line_start));
    }
    // Step boundaries: the leading implicit step, then one per marker.
    let mut bounds = vec![(Transaction::Inside, 1, 0)];
    bounds.extend(markers);
    let mut steps: Vec<FileStep> = Vec::new();
    let mut statements = statements.into_iter().peekable();
    for (index, &(transaction, line, start)) in bounds.iter().enumerate() {
        let (end, end_line) = bounds
            .get(index + 1)
            .map_or((text.len(), usize::MAX), |&(_, line, start)| (start, line));
        let mut step = FileStep {
            transaction,
            line,
            text: text[start..end].to_string(),
            statements: Vec::new(),
        };
        while let Some(statement) = statements.next_if(|statement| statement.line < end_line) {
            step.statements.push(statement);
        }
        steps.push(step);
    }
    if steps.len() > 1 && steps[0].statements.is_empty() {
        let header = steps.remove(0);
        steps[0].text.insert_str(0, &header.text);
    }
    for step in &steps {
        if step.transaction == Transaction::Inside {
            if let Some(statement) = step
                .statements
                .iter()
                .find(|s| needs_no_transaction(&s.sql))
            {
                return Err(at(
                    statement.line,
                    format!(
                        "`{}` cannot run inside a transaction block\n  hint: put \
                         `{OUTSIDE_TRANSACTION}` on the line before it (and \
                         `{IN_TRANSACTION}` before the statements after it)",
                        crate::guard::printable(&first_words(&statement.sql, 4).join(" "))
                    ),
                ));
            }
        }
        if step.transaction == Transaction::Outside && step.statements.len() != 1 {
            return Err(at(
                step.line,
                format!(
                    "an outside-transaction step holds exactly one statement, this one has {}\n  \
                     hint: start a new step before each further statement, with \
                     `{OUTSIDE_TRANSACTION}` or `{IN_TRANSACTION}`",
                    step.statements.len()
                ),
            ));
        }
    }
    Ok(steps)
}

/// `CREATE [UNIQUE] INDEX CONCURRENTLY` and `DROP INDEX CONCURRENTLY`, which PostgreSQL
/// refuses inside a transaction block: in an in-transaction step they could only fail.
fn needs_no_transaction(sql: &str) -> bool {
    let words = first_words(sql, 4);
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    matches!(
        words.as_slice(),
        ["CREATE", "INDEX", "CONCURRENTLY", ..]
            | ["CREATE", "UNIQUE", "INDEX", "CONCURRENTLY"]
            | ["DROP", "INDEX", "CONCURRENTLY", ..]
    )
}

/// The first `n` words of a statement, upper-cased.
fn first_words(sql: &str, n: usize) -> Vec<String> {
    sql.split_whitespace()
        .take(n)
        .map(str::to_ascii_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(text: &str) -> Result<Vec<FileStep>> {
        split_steps(text, Path::new("up.sql"))
    }

    fn shape(steps: &[FileStep]) -> Vec<(Transaction, usize, Vec<usize>)> {
        steps
            .iter()
            .map(|step| {
                let lines = step.statements.iter().map(|s| s.line).collect();
                (step.transaction, step.line, lines)
            })
            .collect()
    }

    #[test]
    fn a_file_without_markers_is_one_step_in_a_transaction() {
        let text = "-- revision: 1\nCREATE TABLE t (a int);\nCREATE TABLE u (b int);\n";
        let found = steps(text).expect("splits");
        assert_eq!(
            shape(&found),
            vec![(Transaction::Inside, 1, vec![2, 3])],
            "{found:#?}"
        );
        assert_eq!(found[0].text, text);
        let empty = steps("-- revision: 1\n").expect("splits");
        assert_eq!(shape(&empty), vec![(Transaction::Inside, 1, vec![])]);
    }

    #[test]
    fn markers_divide_the_file_and_the_header_goes_with_the_first_step() {
        let text = "-- revision: 1\n\
                    -- autogen:step in-transaction\n\
                    ALTER TABLE t ADD COLUMN c int;\n\
                    -- autogen:step outside-transaction\n\
                    CREATE INDEX CONCURRENTLY t_c_idx ON t (c);\n\
                    -- autogen:step in-transaction\n\
                    COMMENT ON TABLE t IS 'x; -- autogen:step nonsense';\n\
                    CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$\n\
                    -- autogen:step inside a body is text\n\
                    SELECT 1 $$;\n";
        let found = steps(text).expect("splits");
        assert_eq!(
            shape(&found),
            vec![
                (Transaction::Inside, 2, vec![3]),
                (Transaction::Outside, 4, vec![5]),
                (Transaction::Inside, 6, vec![7, 8]),
            ]
        );
        assert!(found[0]
            .text
            .starts_with("-- revision: 1\n-- autogen:step in-transaction\n"));
        assert_eq!(
            found[1].text,
            "-- autogen:step outside-transaction\nCREATE INDEX CONCURRENTLY t_c_idx ON t (c);\n"
        );
        let joined: String = found.iter().map(|step| step.text.as_str()).collect();
        assert_eq!(joined, text);
        let leading =
            steps("SELECT 1;\n-- autogen:step outside-transaction\nSELECT 2;\n").expect("splits");
        assert_eq!(
            shape(&leading),
            vec![
                (Transaction::Inside, 1, vec![1]),
                (Transaction::Outside, 2, vec![3])
            ]
        );
    }

    #[test]
    fn wrong_markers_are_refused_at_their_line() {
        let cases = [
            (
                "SELECT 1;\n-- autogen:step outside-transaction\nSELECT 2;\nSELECT 3;\n",
                "up.sql:2:1: an outside-transaction step holds exactly one statement, this one has 2",
            ),
            (
                "-- autogen:step outside-transaction\n-- autogen:step in-transaction\nSELECT 1;\n",
                "up.sql:1:1: an outside-transaction step holds exactly one statement, this one has 0",
            ),
            (
                "SELECT 1;\n\n-- autogen:step outside-transacton\nSELECT 2;\n",
                "up.sql:3:1: unknown marker `-- autogen:step outside-transacton`",
            ),
            (
                "SELECT 1;\ncreate index concurrently i on t (a);\n",
                "up.sql:2:1: `CREATE INDEX CONCURRENTLY I` cannot run inside a transaction block",
            ),
            (
                "SELECT 1; -- autogen:step in-transaction\n",
                "up.sql:1:1: the marker `-- autogen:step in-transaction` must be alone",
            ),
            (
                "SELECT 1,\n-- autogen:step in-transaction\n2;\n",
                "up.sql:2:1: the marker `-- autogen:step in-transaction` must be alone",
            ),
        ];
        for (text, expected) in cases {
            let error = steps(text).expect_err(text).to_string();
            assert!(error.starts_with(expected), "{text:?}: {error}");
        }
    }
}
