//! Columns and sequences: a table's columns with their identity options, `serial`'s
//! storage types, and standalone or owned sequences.

use super::{Expr, QualifiedName};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// SQL type text, e.g. `integer`, `character varying(12)`, `text[]`, `enrollment_status`,
    /// `serial` (an owned sequence plus its `nextval` default, folded into the type).
    pub data_type: String,
    pub nullable: bool,
    pub default: Option<Expr>,
    pub identity: Option<Identity>,
    /// Options of an identity column's sequence other than PostgreSQL's defaults; `None`
    /// when all are (boxed: most columns have none, and a schema holds many columns). Read
    /// through `identity_options()`, set through `set_identity_options`.
    pub identity_options: Option<Box<SequenceOptions>>,
    /// Expression of a `GENERATED ALWAYS AS (...) STORED` column.
    pub generated: Option<Expr>,
    /// Explicit collation, only when it differs from the type's default.
    pub collation: Option<String>,
    /// `SET STATISTICS n`: the planner's statistics target; `None` is the server's default.
    pub statistics: Option<i32>,
    /// `COMPRESSION pglz | lz4`; `None` is the server's `default_toast_compression`.
    pub compression: Option<Compression>,
    pub comment: Option<String>,
}

/// How a column's large values are compressed (`pg_attribute.attcompression`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Pglz,
    Lz4,
}

impl Compression {
    /// The method's name, as `COMPRESSION` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::Pglz => "pglz",
            Compression::Lz4 => "lz4",
        }
    }

    pub fn from_name(name: &str) -> Option<Compression> {
        match name.to_ascii_lowercase().as_str() {
            "pglz" => Some(Compression::Pglz),
            "lz4" => Some(Compression::Lz4),
            _ => None,
        }
    }
}

impl Column {
    pub fn new(name: impl Into<String>, data_type: impl Into<String>) -> Self {
        Column {
            name: name.into(),
            data_type: data_type.into(),
            nullable: true,
            default: None,
            identity: None,
            identity_options: None,
            generated: None,
            collation: None,
            statistics: None,
            compression: None,
            comment: None,
        }
    }

    /// The options of the column's identity sequence (`None` fields are the defaults).
    pub fn identity_options(&self) -> &SequenceOptions {
        const DEFAULTS: SequenceOptions = SequenceOptions {
            start: None,
            increment: None,
            min_value: None,
            max_value: None,
            cache: None,
            cycle: false,
        };
        self.identity_options.as_deref().unwrap_or(&DEFAULTS)
    }

    /// Sets the identity sequence's options, boxed only when they are not all defaults, so
    /// that equal options always compare equal.
    pub fn set_identity_options(&mut self, options: SequenceOptions) {
        self.identity_options = (!options.is_default()).then(|| Box::new(options));
    }
}

/// The type a column's values are stored as: `serial` and friends are integers plus an
/// owned sequence.
pub fn storage_type(data_type: &str) -> &str {
    match data_type {
        "serial" => "integer",
        "bigserial" => "bigint",
        "smallserial" => "smallint",
        other => other,
    }
}

/// `CREATE SEQUENCE name AS type ...`, standalone or owned by a column (and dropped with it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sequence {
    pub name: QualifiedName,
    /// `smallint`, `integer` or `bigint`.
    pub data_type: String,
    pub options: SequenceOptions,
    /// `OWNED BY table.column`.
    pub owned_by: Option<(QualifiedName, String)>,
    pub comment: Option<String>,
}

/// Sequence options (`START WITH`, `INCREMENT BY`, ...); a `None` field is the default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SequenceOptions {
    pub start: Option<i64>,
    pub increment: Option<i64>,
    pub min_value: Option<i64>,
    pub max_value: Option<i64>,
    pub cache: Option<i64>,
    pub cycle: bool,
}

/// The largest value a sequence of `data_type` (smallint, integer or bigint) can hold.
pub fn sequence_type_max(data_type: &str) -> i64 {
    match storage_type(data_type) {
        "smallint" => i64::from(i16::MAX),
        "integer" => i64::from(i32::MAX),
        _ => i64::MAX,
    }
}

impl SequenceOptions {
    pub fn is_default(&self) -> bool {
        *self == SequenceOptions::default()
    }

    /// Every option's value in force for a sequence of `data_type`:
    /// `(start, increment, min_value, max_value, cache)`.
    pub fn effective(&self, data_type: &str) -> (i64, i64, i64, i64, i64) {
        let type_max = sequence_type_max(data_type);
        let increment = self.increment.unwrap_or(1);
        let min_value = self
            .min_value
            .unwrap_or(if increment > 0 { 1 } else { -type_max - 1 });
        let max_value = self
            .max_value
            .unwrap_or(if increment > 0 { type_max } else { -1 });
        let start = self
            .start
            .unwrap_or(if increment > 0 { min_value } else { max_value });
        (
            start,
            increment,
            min_value,
            max_value,
            self.cache.unwrap_or(1),
        )
    }

    /// The same options with every value equal to PostgreSQL's default for a sequence of
    /// `data_type` left out, so that spelled-out defaults compare equal to omitted ones.
    pub fn without_defaults(&self, data_type: &str) -> SequenceOptions {
        let defaults = SequenceOptions {
            increment: self.increment,
            ..SequenceOptions::default()
        };
        let (_, _, default_min, default_max, _) = defaults.effective(data_type);
        let bounded = SequenceOptions {
            min_value: self.min_value,
            max_value: self.max_value,
            ..defaults
        };
        let (default_start, ..) = bounded.effective(data_type);
        let unless = |value: Option<i64>, default: i64| value.filter(|value| *value != default);
        SequenceOptions {
            start: unless(self.start, default_start),
            increment: unless(self.increment, 1),
            min_value: unless(self.min_value, default_min),
            max_value: unless(self.max_value, default_max),
            cache: unless(self.cache, 1),
            cycle: self.cycle,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Identity {
    /// `GENERATED ALWAYS AS IDENTITY`
    Always,
    /// `GENERATED BY DEFAULT AS IDENTITY`
    ByDefault,
}
