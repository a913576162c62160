//! The one integration-test binary: modules share the scratch-database helper.

mod scratch;

mod cli;
mod fixtures;
mod limits;
mod workflow;
