//! The nesting cap on schema YAML, checked before yaml_serde parses the text.
//!
//! libyaml's scanner does work proportional to the flow nesting depth for every token (it
//! rescans its stack of possible simple keys), so 2 MB of `[` took minutes; and yaml_serde
//! collects every event of a document before deserializing, so its own recursion limit comes
//! too late. This scan runs the same scanner (libyaml-rs, yaml_serde's) and stops at the
//! first collection deeper than `MAX_NESTING_DEPTH`, so it counts exactly what the parse
//! would see (a hand-written approximation could be fooled by quotes or block scalars) and
//! its own cost stays linear. Pure.

use std::marker::PhantomData;
use std::mem::MaybeUninit;
use std::path::Path;

use libyaml_rs::{yaml_mark_t, yaml_parser_t, yaml_token_t, yaml_token_type_t as Kind};

use crate::error::{Error, Location, Result};
use crate::fs::MAX_NESTING_DEPTH;

/// An error at the first collection (flow or block) nested deeper than `MAX_NESTING_DEPTH`.
/// Syntax errors end the scan silently: the parse reports them.
pub fn check(text: &str, path: &Path) -> Result<()> {
    let Some(tokens) = Tokens::new(text) else {
        return Err(Error::input(path, None, "out of memory while scanning"));
    };
    let mut depth = 0usize;
    for (kind, mark) in tokens {
        match kind {
            Kind::YAML_FLOW_SEQUENCE_START_TOKEN
            | Kind::YAML_FLOW_MAPPING_START_TOKEN
            | Kind::YAML_BLOCK_SEQUENCE_START_TOKEN
            | Kind::YAML_BLOCK_MAPPING_START_TOKEN => depth += 1,
            Kind::YAML_FLOW_SEQUENCE_END_TOKEN
            | Kind::YAML_FLOW_MAPPING_END_TOKEN
            | Kind::YAML_BLOCK_END_TOKEN => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_NESTING_DEPTH {
            let location = Location {
                line: mark.line as usize + 1,
                column: mark.column as usize + 1,
            };
            return Err(Error::input(
                path,
                Some(location),
                format!("nested more than {MAX_NESTING_DEPTH} levels deep"),
            ));
        }
    }
    Ok(())
}

/// libyaml's tokens of `text` with their start positions, up to the end of the stream or the
/// first syntax error.
struct Tokens<'text> {
    /// Boxed because libyaml keeps a pointer to the parser inside it: it must not move.
    parser: Box<MaybeUninit<yaml_parser_t>>,
    text: PhantomData<&'text str>,
}

impl<'text> Tokens<'text> {
    /// `None` only when libyaml cannot allocate its buffers.
    fn new(text: &'text str) -> Option<Tokens<'text>> {
        let mut parser = Box::new(MaybeUninit::<yaml_parser_t>::uninit());
        // SAFETY: `yaml_parser_initialize` writes every field or fails having freed what it
        // allocated; the input outlives the parser through `PhantomData<&'text str>`.
        unsafe {
            let parser = parser.as_mut_ptr();
            if libyaml_rs::yaml_parser_initialize(parser).fail {
                return None;
            }
            libyaml_rs::yaml_parser_set_encoding(parser, libyaml_rs::YAML_UTF8_ENCODING);
            libyaml_rs::yaml_parser_set_input_string(parser, text.as_ptr(), text.len() as u64);
        }
        Some(Tokens {
            parser,
            text: PhantomData,
        })
    }
}

impl Iterator for Tokens<'_> {
    type Item = (Kind, yaml_mark_t);

    fn next(&mut self) -> Option<Self::Item> {
        let mut token = MaybeUninit::<yaml_token_t>::uninit();
        // SAFETY: the parser was initialized in `new`; `yaml_parser_scan` fills the token
        // (zeroed after the end or an error) and `yaml_token_delete` frees what it owns.
        unsafe {
            let token = token.as_mut_ptr();
            if libyaml_rs::yaml_parser_scan(self.parser.as_mut_ptr(), token).fail {
                return None;
            }
            let item = ((*token).type_, (*token).start_mark);
            libyaml_rs::yaml_token_delete(token);
            match item.0 {
                Kind::YAML_NO_TOKEN | Kind::YAML_STREAM_END_TOKEN => None,
                _ => Some(item),
            }
        }
    }
}

impl Drop for Tokens<'_> {
    fn drop(&mut self) {
        // SAFETY: initialized in `new`, deleted once.
        unsafe { libyaml_rs::yaml_parser_delete(self.parser.as_mut_ptr()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> Option<String> {
        check(text, Path::new("s.yaml"))
            .err()
            .map(|error| error.to_string())
    }

    #[test]
    fn real_files_pass() {
        let example = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/schema.yaml");
        let text = std::fs::read_to_string(example).expect("the example schema");
        assert_eq!(error(&text), None);
        assert_eq!(error(&"[".repeat(MAX_NESTING_DEPTH)), None);
    }

    #[test]
    fn flow_and_block_nesting_are_capped_where_they_pass_the_limit() {
        let too_deep = format!("a: {}", "[".repeat(MAX_NESTING_DEPTH));
        assert_eq!(
            error(&too_deep).as_deref(),
            Some("s.yaml:1:131: nested more than 128 levels deep")
        );
        let block: String = (0..200)
            .map(|depth| format!("{}k:\n", " ".repeat(depth)))
            .collect();
        assert_eq!(
            error(&block).as_deref(),
            Some("s.yaml:129:129: nested more than 128 levels deep")
        );
        let dashes = format!("{}x\n", "- ".repeat(200));
        assert_eq!(
            error(&dashes).as_deref(),
            Some("s.yaml:1:257: nested more than 128 levels deep")
        );
    }

    #[test]
    fn brackets_in_scalars_and_comments_do_not_count() {
        let brackets = "[".repeat(1000);
        let text = format!(
            "a: '{brackets}'\nb: \"{brackets}\"\nc: x{brackets}\n# {brackets}\nd: |\n  {brackets}\n"
        );
        assert_eq!(error(&text), None);
        // A quoted `]` closes nothing, so it cannot hide depth.
        assert!(error(&"[']', ".repeat(200)).is_some());
    }
}
