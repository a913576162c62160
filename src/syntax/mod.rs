//! Leaf: the spelling of SQL that every stage shares. `quote` holds PostgreSQL's quoting
//! rules, `names` its default object names and the schema file's `schema.name` syntax,
//! `types` type names as `format_type` prints them, `statements` the lexing that splits SQL
//! text into statements, `steps` a revision file into the steps its marker lines start.
//! Pure; imports no stage, so any stage may use it.

pub mod names;
pub mod quote;
pub mod statements;
pub mod steps;
pub mod types;
