//! The one integration-test binary: modules share the scratch-database helper.

mod project;
mod scratch;

mod aggregates;
mod alembic;
mod chains;
mod ci_output;
mod cli;
mod connection;
mod extensions;
mod fixtures;
mod functions;
mod fuzz;
mod gates;
mod hazards;
mod hostile;
mod inspected;
mod json_schema;
mod limits;
mod online;
mod output;
mod privileges;
mod ranges;
mod sequences;
mod shadow;
mod shell;
mod steps;
mod terminal;
mod triggers;
mod unmanaged;
mod workflow;
