//! `autogen show`: a revision's up and down files.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::migrations;
use crate::output::{self, Stream};

pub(super) fn show(config: &Config, target: &str) -> Result<u8> {
    let chain = migrations::read_chain(&config.migrations)?;
    let Some(index) = chain.resolve(target)? else {
        return Err(Error::Usage(format!(
            "{target} is not a revision (base is the empty start of the chain)"
        )));
    };
    let revision = &chain.revisions[index];
    let mut text = format!(
        "==> {} <==\n{}",
        revision.up_path.display(),
        revision.up_text
    );
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!(
        "\n==> {} <==\n{}",
        revision.down_path.display(),
        revision.down_text
    ));
    if !text.ends_with('\n') {
        text.push('\n');
    }
    output::write(Stream::Stdout, &text)?;
    Ok(0)
}
