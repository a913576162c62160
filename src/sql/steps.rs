//! Steps of a script: which statements run together in a transaction and which alone
//! outside one, as marker lines in a revision file (`-- autogen:step ...`), and how `diff`
//! prints them for psql.

use super::{Script, Statement};
use crate::syntax::steps::Transaction;

impl Script {
    /// For a revision header: how many steps there are and which run outside a
    /// transaction (`None`: one step, in one transaction).
    pub fn steps_summary(&self) -> Option<String> {
        let steps = self.steps();
        if steps.len() < 2 {
            return None;
        }
        let outside: Vec<String> = steps
            .iter()
            .enumerate()
            .filter(|(_, (kind, _))| *kind == Transaction::Outside)
            .map(|(step_idx, _)| (step_idx + 1).to_string())
            .collect();
        Some(format!(
            "{} (outside a transaction: {})",
            steps.len(),
            outside.join(", ")
        ))
    }

    /// The script as `diff` prints it: a header saying how it runs; with several steps,
    /// in-transaction steps between `BEGIN` and `COMMIT` and the others bare, so `psql -f`
    /// runs it as the runner would.
    pub fn to_psql_text(&self) -> String {
        if self.is_empty() {
            return String::new();
        }
        let steps = self.steps();
        if steps.len() < 2 {
            return format!(
                "-- runs in one transaction: psql --single-transaction -f FILE\n{}",
                self.to_text()
            );
        }
        let first_outside = steps
            .iter()
            .find(|(kind, _)| *kind == Transaction::Outside)
            .and_then(|(_, statements)| statements.first())
            .map(|statement| first_line(&statement.sql))
            .unwrap_or_default();
        let mut text = format!(
            "-- runs in {} steps (psql -f FILE, not in one transaction): `{}` must commit \
             before the statements after it\n",
            steps.len(),
            super::quote::comment_text(&first_outside)
        );
        for (kind, statements) in steps {
            let step = Script {
                statements: statements.to_vec(),
            };
            let body = step.to_text();
            text.push('\n');
            match kind {
                Transaction::Inside => {
                    let marker = format!("{}\n", kind.marker());
                    let body = match body.strip_prefix(&marker) {
                        Some(rest) => {
                            text.push_str(&marker);
                            rest
                        }
                        None => &body,
                    };
                    text.push_str("BEGIN;\n");
                    text.push_str(body);
                    text.push_str("COMMIT;\n");
                }
                Transaction::Outside => text.push_str(&body),
            }
        }
        text
    }
    /// The script's steps in order, each with its kind: statements before the first marker
    /// form an in-transaction step; a script without markers is one step.
    pub fn steps(&self) -> Vec<(Transaction, &[Statement])> {
        let mut steps = Vec::new();
        let mut start = 0;
        let mut kind = Transaction::Inside;
        for (statement_idx, statement) in self.statements.iter().enumerate() {
            if let Some(next) = statement.step {
                if statement_idx > start {
                    steps.push((kind, &self.statements[start..statement_idx]));
                }
                start = statement_idx;
                kind = next;
            }
        }
        if self.statements.len() > start {
            steps.push((kind, &self.statements[start..]));
        }
        steps
    }
}

/// Where a statement runs relative to the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Boundary {
    /// In the transaction of the statement before it (or a new one after a statement that
    /// ran outside any).
    Same,
    /// In a transaction begun after everything before it committed; consecutive such
    /// statements share it.
    NewTransaction,
    /// Alone, outside any transaction.
    Outside,
}

/// Sets each statement's step marker from the boundaries; a script needing none has none.
pub(super) fn mark_steps(statements: &mut [Statement], boundaries: &[Boundary]) {
    let mut previous: Option<Boundary> = None;
    for (statement, &boundary) in statements.iter_mut().zip(boundaries) {
        statement.step = match (previous, boundary) {
            (_, Boundary::Outside) => Some(Transaction::Outside),
            (Some(Boundary::Outside), _) => Some(Transaction::Inside),
            (Some(Boundary::Same), Boundary::NewTransaction) => Some(Transaction::Inside),
            _ => None,
        };
        previous = Some(match (previous, boundary) {
            // A statement after a new transaction's statements stays in that transaction.
            (Some(Boundary::NewTransaction), Boundary::Same) => Boundary::Same,
            _ => boundary,
        });
    }
}

fn first_line(sql: &str) -> String {
    sql.lines().next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ObjectRef;

    fn statement(sql: &str) -> Statement {
        Statement {
            sql: sql.into(),
            notes: Vec::new(),
            hazards: Vec::new(),
            object: ObjectRef::Schema("public".into()),
            step: None,
        }
    }

    #[test]
    fn boundaries_become_markers_and_markers_steps() {
        let mut statements: Vec<Statement> = ["a", "b", "c", "d", "e", "f"]
            .into_iter()
            .map(statement)
            .collect();
        let boundaries = [
            Boundary::Same,
            Boundary::Outside,
            Boundary::Same,
            Boundary::NewTransaction,
            Boundary::NewTransaction,
            Boundary::Same,
        ];
        mark_steps(&mut statements, &boundaries);
        let markers: Vec<Option<Transaction>> = statements.iter().map(|s| s.step).collect();
        assert_eq!(
            markers,
            [
                None,
                Some(Transaction::Outside),
                Some(Transaction::Inside),
                Some(Transaction::Inside),
                None,
                None,
            ]
        );
        let script = Script { statements };
        let steps: Vec<(Transaction, usize)> = script
            .steps()
            .into_iter()
            .map(|(kind, statements)| (kind, statements.len()))
            .collect();
        assert_eq!(
            steps,
            [
                (Transaction::Inside, 1),
                (Transaction::Outside, 1),
                (Transaction::Inside, 1),
                (Transaction::Inside, 3),
            ]
        );
        assert_eq!(
            script.steps_summary().as_deref(),
            Some("4 (outside a transaction: 2)")
        );
        assert!(script.to_psql_text().contains("BEGIN;\nc;\nCOMMIT;\n"));
    }
}
