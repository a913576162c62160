//! autogen: Alembic-style autogenerate for PostgreSQL.
//!
//! Modules are listed in pipeline order: load (`spec`) → introspect (`catalog`) → `normalize`
//! → `diff` → `plan` → render (`sql`) → emit. See ARCHITECTURE.md for the map and invariants.

pub mod error;
pub mod model;

pub mod spec;
pub mod catalog;
pub mod normalize;
pub mod diff;
pub mod plan;
pub mod sql;

pub mod apply;
pub mod cli;
pub mod commands;
pub mod db;
pub mod fs;
pub mod shadow;
pub mod source;
