//! Lowering of indexes and of the storage parameters tables and indexes declare.

use super::*;

impl Lowering<'_> {
    /// `columns_known` is false for a materialized view, whose columns the file does not list.
    pub(super) fn index(
        &self,
        table: &Table,
        columns_known: bool,
        name: Option<String>,
        raw_index: raw::Index,
        at: &YamlPath,
    ) -> Result<Index> {
        let mut keys = Vec::new();
        for raw_key in raw_index.columns {
            keys.push(self.index_key(table, columns_known, raw_key, at)?);
        }
        for expression in raw_index.expressions {
            keys.push(IndexKey {
                target: IndexTarget::Expression(self.fragment(
                    Fragment::Expression,
                    &expression,
                    at,
                    "expressions",
                )?),
                collation: None,
                opclass: None,
                descending: false,
                nulls_first: false,
            });
        }
        if keys.is_empty() {
            return Err(self.error(at, "index needs at least one column or expression"));
        }
        for column in &raw_index.include {
            if table.column(column).is_none() {
                return Err(self.error(at, format!("unknown column \"{column}\" in include")));
            }
        }
        let name = match name {
            Some(name) => self.identifier(&name, at).map(|()| name)?,
            None => {
                let mut columns = Vec::new();
                for key in &keys {
                    match &key.target {
                        IndexTarget::Column(column) => columns.push(column.clone()),
                        IndexTarget::Expression(_) => {
                            return Err(self.error(at, "index on expressions needs a name"))
                        }
                    }
                }
                columns.extend(raw_index.include.iter().cloned());
                names::index_name(&table.name.name, &columns)
            }
        };
        let method = match raw_index.using.as_deref().map(str::trim) {
            None => "btree".to_owned(),
            Some("") => return Err(self.error(at, "index access method is empty")),
            Some(method) => method.to_owned(),
        };
        Ok(Index {
            name,
            unique: raw_index.unique,
            method,
            keys,
            include: raw_index.include,
            predicate: self.expression(raw_index.predicate, at, "where")?,
            nulls_not_distinct: raw_index.nulls_not_distinct,
            storage_parameters: self.storage_parameters(raw_index.with, at)?,
            comment: raw_index.comment,
        })
    }

    /// One key of an index or exclusion constraint: exactly one of a column (of `table`, when
    /// `columns_known`) and an expression, with its options.
    pub(super) fn index_key(
        &self,
        table: &Table,
        columns_known: bool,
        raw_key: raw::IndexKey,
        at: &YamlPath,
    ) -> Result<IndexKey> {
        let target = match (raw_key.column, raw_key.expression) {
            (Some(column), None) => {
                if columns_known {
                    self.check_columns(table, std::slice::from_ref(&column), at, "index key")?;
                }
                IndexTarget::Column(column)
            }
            (None, Some(expression)) => IndexTarget::Expression(self.fragment(
                Fragment::Expression,
                &expression,
                at,
                "expression",
            )?),
            _ => {
                return Err(self.error(
                    at,
                    "an index key needs exactly one of column and expression",
                ))
            }
        };
        let descending = raw_key.order == Some(raw::Order::Desc);
        Ok(IndexKey {
            target,
            collation: raw_key.collation,
            opclass: raw_key
                .opclass
                .map(|opclass| self.fragment(Fragment::OperatorClass, &opclass, at, "opclass"))
                .transpose()?
                .map(|opclass| opclass.0),
            descending,
            // PostgreSQL's default: NULLS FIRST for DESC, NULLS LAST for ASC.
            nulls_first: raw_key
                .nulls
                .map_or(descending, |nulls| nulls == raw::Nulls::First),
        })
    }

    /// An optional expression field; `None` stays `None`.
    /// Parameter names are plain lower-case words (the server folds them), values any
    /// scalar: both are rendered so that neither can leave the `WITH (...)` list.
    pub(super) fn storage_parameters(
        &self,
        raw: BTreeMap<String, raw::ParameterValue>,
        at: &YamlPath,
    ) -> Result<BTreeMap<String, String>> {
        let mut parameters = BTreeMap::new();
        for (name, value) in raw {
            let folded = name.to_lowercase();
            let is_word = folded.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                && folded
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !is_word {
                return Err(self.error(
                    at,
                    format!(
                        "storage parameter \"{}\" is not a parameter name (letters, digits, _)",
                        guard::printable(&name)
                    ),
                ));
            }
            let value = value.to_string();
            guard::name(&value).map_err(|message| self.error(at, message))?;
            if parameters.insert(folded, value).is_some() {
                return Err(self.error(at, format!("storage parameter {name} is given twice")));
            }
        }
        Ok(parameters)
    }
}
