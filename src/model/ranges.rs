//! Range types (`CREATE TYPE ... AS RANGE`): plain data, like the rest of the model.

use super::QualifiedName;

/// `CREATE TYPE name AS RANGE (SUBTYPE = ..., ...)`. Only the name and comment change in
/// place; anything else needs a new type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeType {
    pub name: QualifiedName,
    /// `format_type` text once normalized.
    pub subtype: String,
    /// `SUBTYPE_OPCLASS`, when it is not the subtype's default B-tree operator class: bare
    /// when built in, else `schema.name`.
    pub subtype_opclass: Option<String>,
    /// `COLLATION`, when the subtype is collatable and it is not the subtype's own.
    pub collation: Option<String>,
    pub canonical: Option<QualifiedName>,
    pub subtype_diff: Option<QualifiedName>,
    /// `MULTIRANGE_TYPE_NAME`, when it is not the name PostgreSQL derives
    /// (`default_multirange`).
    pub multirange: Option<QualifiedName>,
    pub comment: Option<String>,
}

impl RangeType {
    /// Whether `other` differs from this range type at most in its comment.
    pub fn same_definition_as(&self, other: &RangeType) -> bool {
        RangeType {
            comment: None,
            ..self.clone()
        } == RangeType {
            comment: None,
            ..other.clone()
        }
    }

    /// The multirange type PostgreSQL 14+ creates with the range: named by
    /// `MULTIRANGE_TYPE_NAME`, else `default_multirange`.
    pub fn multirange_name(&self) -> QualifiedName {
        self.multirange
            .clone()
            .unwrap_or_else(|| default_multirange(&self.name))
    }
}

/// The multirange type's name PostgreSQL derives from a range's: its first `range` becomes
/// `multirange`, or without one `_multirange` is appended; in the range's schema.
pub fn default_multirange(range: &QualifiedName) -> QualifiedName {
    let name = match range.name.find("range") {
        Some(start) => format!(
            "{}multirange{}",
            &range.name[..start],
            &range.name[start + "range".len()..]
        ),
        None => format!("{}_multirange", range.name),
    };
    QualifiedName::new(&range.schema, name)
}
