//! The one integration-test binary: modules share the scratch-database helper.

mod scratch;

mod cli;
mod connection;
mod extensions;
mod fixtures;
mod functions;
mod fuzz;
mod hazards;
mod hostile;
mod inspected;
mod limits;
mod output;
mod privileges;
mod shadow;
mod triggers;
mod workflow;
