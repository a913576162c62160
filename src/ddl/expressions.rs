//! What the interpreter reads from stored expression text; the rewrites that follow renames
//! are `crate::renames`, shared with the diff.

use super::*;

/// The sequence in `nextval('name'::regclass)` or `nextval('name')`.
pub(super) fn nextval_sequence(default: &str) -> Option<QualifiedName> {
    let inner = default.strip_prefix("nextval(")?.strip_suffix(')')?;
    let inner = inner.strip_suffix("::regclass").unwrap_or(inner);
    let literal = inner.strip_prefix('\'')?.strip_suffix('\'')?;
    Cursor::new(literal).ok()?.qualified_name().ok()
}
