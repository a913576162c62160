//! What PostgreSQL does to stored values when a column's type changes: whether every value
//! survives, and whether the table is rewritten. Types are `format_type` spellings.
//!
//! The rewrite rules follow the server's own: a binary-coercible cast (`pg_cast.castmethod =
//! 'b'`) or a length coercion whose support function proves it a no-op (`varchar_support`,
//! `numeric_support`, `timestamp_support`, ...) keeps the table's file; anything else copies
//! it. `tests/it/hazards.rs` checks each rule against `pg_class.relfilenode`.

use super::Change;
use crate::model::{Domain, Enum, QualifiedName, Schema};

/// The effect of `ALTER COLUMN ... TYPE` from one type to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeChange {
    /// Every value of the old type converts to an equal value of the new one.
    pub lossless: bool,
    /// The server writes the whole table again.
    pub rewrites: bool,
}

pub fn classify(from: &str, to: &str) -> TypeChange {
    if from == to {
        return TypeChange {
            lossless: true,
            rewrites: false,
        };
    }
    let (from, to) = (TypeName::parse(from), TypeName::parse(to));
    if from.array || to.array {
        // Array element coercions are never simplified away, and only a same-element
        // change is judged here.
        let lossless =
            from.array == to.array && classify_scalar(&from.element(), &to.element()).lossless;
        return TypeChange {
            lossless,
            rewrites: true,
        };
    }
    classify_scalar(&from, &to)
}

fn classify_scalar(from: &TypeName, to: &TypeName) -> TypeChange {
    if from.base == to.base {
        return same_base(from, to);
    }
    let no_rewrite = |lossless| TypeChange {
        lossless,
        rewrites: false,
    };
    let rewrite = |lossless| TypeChange {
        lossless,
        rewrites: true,
    };
    match (from.base.as_str(), to.base.as_str()) {
        // Binary-coercible casts: the bytes stay; only a new length limit checks values.
        ("character varying", "text") | ("xml", "text") | ("cidr", "inet") => no_rewrite(true),
        ("text", "character varying") if to.modifiers.is_empty() => no_rewrite(true),
        // Every value has a text form.
        (_, "text" | "character varying") if to.modifiers.is_empty() => rewrite(true),
        (from_base, to_base) => {
            let lossless = match (integer_digits(from_base), to_base) {
                (Some(digits), "numeric") => to
                    .numeric_precision_and_scale()
                    .is_none_or(|(precision, scale)| precision - scale >= digits),
                (Some(digits), _) => {
                    integer_digits(to_base).is_some_and(|to_digits| to_digits > digits)
                }
                (None, _) => matches!(
                    (from_base, to_base),
                    ("real", "double precision")
                        | (
                            "date",
                            "timestamp without time zone" | "timestamp with time zone"
                        )
                        | ("timestamp without time zone", "timestamp with time zone")
                        | ("timestamp with time zone", "timestamp without time zone")
                ),
            };
            // timestamp ↔ timestamptz keeps the file when the session's TimeZone is UTC; a
            // label cannot know the session, so it says rewrite.
            rewrite(lossless)
        }
    }
}

/// A change of modifiers only (`varchar(12)` → `varchar(16)`, `numeric(3,2)` →
/// `numeric(4,2)`, `timestamp(3)` → `timestamp(6)`).
fn same_base(from: &TypeName, to: &TypeName) -> TypeChange {
    let widens = match (from.modifiers.as_slice(), to.modifiers.as_slice()) {
        (_, []) => true,
        ([], _) => false,
        ([from_first, from_rest @ ..], [to_first, to_rest @ ..]) => {
            from_rest == to_rest && to_first >= from_first
        }
    };
    let length_checked = matches!(
        from.base.as_str(),
        "character varying" | "bit varying" | "numeric"
    ) || from.base.starts_with("timestamp")
        || from.base.starts_with("time ")
        || from.base.starts_with("interval");
    if widens {
        return TypeChange {
            lossless: true,
            rewrites: !length_checked,
        };
    }
    // `numeric(p,s)` → `numeric(p',s')` with more scale keeps every value if the integer
    // digits do not shrink, though each value is stored again.
    let lossless = match (
        from.numeric_precision_and_scale(),
        to.numeric_precision_and_scale(),
    ) {
        (Some((from_precision, from_scale)), Some((to_precision, to_scale))) => {
            to_scale >= from_scale && to_precision - to_scale >= from_precision - from_scale
        }
        _ => false,
    };
    TypeChange {
        lossless,
        rewrites: true,
    }
}

/// Classifies the type changes of `changes` from or to an enum or a domain (`current`
/// holds the old types, `desired` the new ones), both ways: an enum's values convert by
/// label, a domain holds its base type's values and may check them again.
pub(super) fn classify_user_types(current: &Schema, desired: &Schema, changes: &mut [Change]) {
    for change in changes {
        let Change::AlterColumn {
            from,
            to,
            hints,
            inverse_hints,
            ..
        } = change
        else {
            continue;
        };
        hints.conversion = classify_in((&from.data_type, current), (&to.data_type, desired));
        inverse_hints.conversion =
            classify_in((&to.data_type, desired), (&from.data_type, current));
    }
}

/// A conversion between a type of one schema and a type of another, when either is an enum
/// or a domain.
fn classify_in(
    (from, from_schema): (&str, &Schema),
    (to, to_schema): (&str, &Schema),
) -> Option<TypeChange> {
    let (from_element, to_element) = (from.strip_suffix("[]"), to.strip_suffix("[]"));
    if let (Some(from_element), Some(to_element)) = (from_element, to_element) {
        let element = classify_in((from_element, from_schema), (to_element, to_schema))?;
        return Some(TypeChange {
            rewrites: true,
            ..element
        });
    }
    let (from_user, to_user) = (
        UserType::find(from, from_schema),
        UserType::find(to, to_schema),
    );
    if from == to || (from_user.is_none() && to_user.is_none()) {
        return None;
    }
    let lossless = match (from_user, to_user) {
        (Some(UserType::Enum(from_enum)), Some(UserType::Enum(to_enum))) => from_enum
            .values
            .iter()
            .all(|value| to_enum.values.contains(value)),
        // A domain's checks make a conversion fail rather than lose values, as when the
        // domain itself changes (`TypeChange::hazards` calls that a scan).
        (from_user, to_user) => {
            let base = |spelling, user: &Option<UserType<'_>>| match user {
                Some(UserType::Domain(domain)) => domain.base_type.clone(),
                _ => String::from(spelling),
            };
            classify(&base(from, &from_user), &base(to, &to_user)).lossless
        }
    };
    Some(TypeChange {
        lossless,
        rewrites: true,
    })
}

/// An enum or a domain, found by the spelling a column uses for it.
enum UserType<'a> {
    Enum(&'a Enum),
    Domain(&'a Domain),
}

impl<'a> UserType<'a> {
    fn find(spelling: &str, schema: &'a Schema) -> Option<UserType<'a>> {
        let named = |name: &QualifiedName| crate::syntax::quote::type_name(name) == spelling;
        let enumeration = schema
            .enums
            .values()
            .find(|enumeration| named(&enumeration.name));
        let domain = || schema.domains.values().find(|domain| named(&domain.name));
        enumeration
            .map(UserType::Enum)
            .or_else(|| domain().map(UserType::Domain))
    }
}

/// Decimal digits every value of an integer type fits in.
fn integer_digits(base: &str) -> Option<u32> {
    match base {
        "smallint" => Some(5),
        "integer" => Some(10),
        "bigint" => Some(19),
        _ => None,
    }
}

/// A `format_type` spelling taken apart: `timestamp(3) without time zone` is the base
/// `timestamp without time zone` with modifier 3.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TypeName {
    base: String,
    modifiers: Vec<u32>,
    array: bool,
}

impl TypeName {
    fn parse(spelling: &str) -> TypeName {
        let (scalar, array) = match spelling.strip_suffix("[]") {
            Some(element) => (element.trim_end_matches("[]"), true),
            None => (spelling, false),
        };
        let parsed = scalar.find('(').and_then(|open| {
            let close = open + scalar[open..].find(')')?;
            let modifiers = scalar[open + 1..close]
                .split(',')
                .map(|modifier| modifier.trim().parse().ok())
                .collect::<Option<Vec<u32>>>()?;
            let base = format!("{}{}", &scalar[..open], &scalar[close + 1..]);
            Some((base, modifiers))
        });
        let (base, modifiers) = parsed.unwrap_or_else(|| (scalar.to_string(), Vec::new()));
        TypeName {
            base: base.split_whitespace().collect::<Vec<_>>().join(" "),
            modifiers,
            array,
        }
    }

    fn element(&self) -> TypeName {
        TypeName {
            array: false,
            ..self.clone()
        }
    }

    /// `(precision, scale)` of a constrained `numeric`.
    fn numeric_precision_and_scale(&self) -> Option<(u32, u32)> {
        if self.base != "numeric" {
            return None;
        }
        match self.modifiers.as_slice() {
            [precision] => Some((*precision, 0)),
            [precision, scale] => Some((*precision, *scale)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lossless(from: &str, to: &str) -> bool {
        classify(from, to).lossless
    }

    fn rewrites(from: &str, to: &str) -> bool {
        classify(from, to).rewrites
    }

    #[test]
    fn widening_keeps_every_value_and_narrowing_does_not() {
        assert!(lossless("integer", "bigint"));
        assert!(!lossless("bigint", "integer"));
        assert!(lossless("character varying(12)", "character varying(20)"));
        assert!(lossless("character varying(12)", "text"));
        assert!(!lossless("text", "character varying(12)"));
        assert!(lossless("integer", "text"));
        assert!(lossless("bigint", "numeric"));
        assert!(!lossless("numeric", "bigint"));
        assert!(lossless("numeric(3,2)", "numeric(4,2)"));
        assert!(lossless("numeric(3,2)", "numeric(5,3)"));
        assert!(!lossless("numeric(5,2)", "numeric(4,2)"));
        assert!(!lossless("numeric(4,2)", "numeric(4,1)"));
        assert!(lossless("integer", "numeric(12,2)"));
        assert!(!lossless("integer", "numeric(8,2)"));
        assert!(lossless(
            "timestamp(3) without time zone",
            "timestamp(6) without time zone"
        ));
        assert!(!lossless(
            "timestamp without time zone",
            "timestamp(3) without time zone"
        ));
        assert!(lossless("character varying(5)[]", "character varying(8)[]"));
        assert!(!lossless("text", "integer"));
    }

    #[test]
    fn only_what_the_server_cannot_prove_a_no_op_rewrites() {
        assert!(!rewrites("character varying(12)", "character varying(16)"));
        assert!(!rewrites("character varying(12)", "text"));
        assert!(!rewrites("text", "character varying"));
        assert!(rewrites("text", "character varying(5)"));
        assert!(!rewrites("numeric(3,2)", "numeric(4,2)"));
        assert!(!rewrites("numeric(3,2)", "numeric"));
        assert!(rewrites("numeric(3,2)", "numeric(5,3)"));
        assert!(!rewrites(
            "time(2) without time zone",
            "time(4) without time zone"
        ));
        assert!(!rewrites("bit varying(5)", "bit varying"));
        assert!(rewrites("character(5)", "character(8)"));
        assert!(rewrites("integer", "bigint"));
        assert!(!rewrites("cidr", "inet"));
        assert!(rewrites("character varying(5)[]", "character varying(8)[]"));
    }
}
