//! The SQL a run would send, as one script `psql -f` runs the same way: in-transaction
//! steps between BEGIN and COMMIT with their bookkeeping, outside-transaction statements
//! bare (psql's autocommit runs each alone), each followed by its own.

use super::execute::Transition;
use super::{Direction, CREATE_TABLES};
use crate::syntax::quote::{comment_text, literal};
use crate::syntax::steps::Transaction;

/// The script of `transitions`, each from its first unfinished step; `with_tables` adds the
/// bookkeeping tables' DDL.
pub fn script(transitions: &[Transition<'_>], with_tables: bool) -> String {
    let mut text = String::new();
    if with_tables {
        text.push_str("-- autogen's bookkeeping tables\n");
        text.push_str(CREATE_TABLES);
        text.push_str(";\n\n");
    }
    for transition in transitions {
        let revision = transition.revision;
        let mut heading = format!(
            "{} {}: {}",
            transition.direction.word(),
            revision.id,
            transition.path.display()
        );
        if transition.n_done > 0 {
            heading.push_str(&format!(
                ", from step {} of {} (the steps before it are applied)",
                transition.n_done + 1,
                transition.steps.len()
            ));
        }
        text.push_str(&format!("-- {}\n", comment_text(&heading)));
        for (index, step) in transition.remaining() {
            let bookkeeping = bookkeeping(transition, index);
            match step.transaction {
                Transaction::Inside => {
                    text.push_str("BEGIN;\n\n");
                    push_body(&mut text, &step.text);
                    text.push_str(&bookkeeping);
                    text.push_str("COMMIT;\n\n");
                }
                Transaction::Outside if index + 1 < transition.steps.len() => {
                    push_body(&mut text, &step.text);
                    text.push_str(&bookkeeping);
                    text.push('\n');
                }
                Transaction::Outside => {
                    push_body(&mut text, &step.text);
                    text.push_str(&format!("BEGIN;\n{bookkeeping}COMMIT;\n\n"));
                }
            }
        }
    }
    if text.ends_with("\n\n") {
        text.pop();
    }
    text
}

fn push_body(text: &mut String, body: &str) {
    text.push_str(body);
    if !body.ends_with('\n') {
        text.push('\n');
    }
    text.push('\n');
}

/// What `execute::record` does after step `index`, as SQL.
fn bookkeeping(transition: &Transition<'_>, index: usize) -> String {
    let revision = transition.revision;
    let id = literal(&revision.id);
    let direction = literal(transition.direction.word());
    if index + 1 < transition.steps.len() {
        return format!(
            "INSERT INTO autogen.autogen_step (revision, direction, step, checksum) VALUES \
             ({id}, {direction}, {}, {});\n",
            index + 1,
            literal(&revision.checksum)
        );
    }
    let mut text = String::new();
    if transition.steps.len() > 1 {
        text.push_str(&format!(
            "DELETE FROM autogen.autogen_step WHERE revision = {id} AND direction = {direction};\n"
        ));
    }
    match transition.direction {
        Direction::Upgrade => text.push_str(&format!(
            "INSERT INTO autogen.autogen_version (revision, parent, message, checksum, \
             duration_ms) VALUES ({id}, {}, {}, {}, 0);\n",
            revision.parent().map_or("NULL".to_string(), literal),
            literal(revision.message()),
            literal(&revision.checksum)
        )),
        Direction::Downgrade => text.push_str(&format!(
            "DELETE FROM autogen.autogen_version WHERE revision = {id};\n"
        )),
    }
    text.push_str(&format!(
        "INSERT INTO autogen.history (revision, direction, duration_ms) VALUES ({id}, \
         {direction}, 0);\n"
    ));
    text
}
