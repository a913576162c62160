//! The connected server's version, and what the catalog reader may rely on because of it.
//!
//! Version differences are named capabilities here, never numeric comparisons elsewhere.
//! Pure: the number comes from `SERVER_VERSION_QUERY`.

use std::fmt;

/// A PostgreSQL release as `server_version_num` (e.g. `150004` for 15.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ServerVersion {
    num: i32,
}

impl ServerVersion {
    /// The oldest release the catalog queries work on: `pg_attribute.attgenerated` is 12+.
    pub const MINIMUM: ServerVersion = ServerVersion { num: 120000 };

    pub fn from_num(num: i32) -> Self {
        ServerVersion { num }
    }

    /// The major release number (`15` for 15.4), as PostgreSQL 10+ counts them.
    pub fn major(self) -> i32 {
        self.num / 10000
    }

    pub fn is_supported(self) -> bool {
        self >= Self::MINIMUM
    }

    /// `UNIQUE NULLS NOT DISTINCT` and `pg_index.indnullsnotdistinct` (PostgreSQL 15+).
    pub fn supports_nulls_not_distinct(self) -> bool {
        self.num >= 150000
    }

    /// SQL-standard function bodies and `pg_proc.prosqlbody` (PostgreSQL 14+).
    pub fn supports_sql_standard_bodies(self) -> bool {
        self.num >= 140000
    }

    /// Multirange types, which every range type gets (PostgreSQL 14+).
    pub fn supports_multiranges(self) -> bool {
        self.num >= 140000
    }

    /// The `pg_collation` column holding an ICU collation's locale: `colliculocale`
    /// (PostgreSQL 15-16), `colllocale` (17+), before that `collcollate`.
    pub fn icu_locale_column(self) -> &'static str {
        match self.num {
            170000.. => "colllocale",
            150000.. => "colliculocale",
            _ => "collcollate",
        }
    }
}

/// `15.4`; releases before 10 had three parts (`9.6.24`).
impl fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let major = self.major();
        if major >= 10 {
            write!(f, "{major}.{}", self.num % 10000)
        } else {
            write!(f, "{major}.{}.{}", self.num / 100 % 100, self.num % 100)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_follow_the_release() {
        let pg14 = ServerVersion::from_num(140011);
        let pg15 = ServerVersion::from_num(150004);
        assert!(!pg14.supports_nulls_not_distinct());
        assert!(pg15.supports_nulls_not_distinct());
        assert!(!ServerVersion::from_num(110022).is_supported());
        assert!(pg14.is_supported());
        assert_eq!(pg15.to_string(), "15.4");
        assert_eq!(ServerVersion::from_num(90624).to_string(), "9.6.24");
    }
}
