//! Constraint clauses and index statements, shared by `CREATE TABLE`, `ALTER TABLE` and
//! `CREATE INDEX`.

use super::*;

pub(super) fn table_constraint(name: &str, body: &str) -> String {
    format!("CONSTRAINT {} {body}", ident(name))
}

pub(super) fn add_constraint(table: &QualifiedName, name: &str, body: &str) -> String {
    format!(
        "ALTER TABLE {} ADD {}",
        qualified(table),
        table_constraint(name, body)
    )
}

/// `ALTER TABLE t ADD CONSTRAINT n body`, then its comment if it has one.
pub(super) fn add_constraint_and_comment(
    table: &QualifiedName,
    constraint: &impl Constraint,
    body: &str,
) -> Vec<String> {
    let mut statements = vec![add_constraint(table, constraint.name(), body)];
    if let Some(comment) = constraint.comment() {
        statements.push(constraint_comment(table, constraint.name(), Some(comment)));
    }
    statements
}

/// `COMMENT ON CONSTRAINT n ON t IS ...`
pub(super) fn constraint_comment(
    table: &QualifiedName,
    constraint: &str,
    comment: Option<&str>,
) -> String {
    let target = format!("{} ON {}", ident(constraint), qualified(table));
    comment_on("CONSTRAINT", &target, comment)
}

pub(super) fn drop_constraint(table: &QualifiedName, name: &str) -> String {
    format!(
        "ALTER TABLE {} DROP CONSTRAINT {}",
        qualified(table),
        ident(name)
    )
}

pub(super) fn primary_key_body(primary_key: &PrimaryKey) -> String {
    format!(
        "PRIMARY KEY ({}){}{}",
        ident_list(&primary_key.columns),
        include_clause(&primary_key.include),
        deferrable_clause(primary_key.deferrable)
    )
}

/// ` INCLUDE (a, b)` of a key, or nothing.
fn include_clause(include: &[String]) -> String {
    match include.is_empty() {
        true => String::new(),
        false => format!(" INCLUDE ({})", ident_list(include)),
    }
}

pub(super) fn unique_body(unique: &UniqueConstraint) -> String {
    let nulls = if unique.nulls_not_distinct {
        " NULLS NOT DISTINCT"
    } else {
        ""
    };
    format!(
        "UNIQUE{nulls} ({}){}{}",
        ident_list(&unique.columns),
        include_clause(&unique.include),
        deferrable_clause(unique.deferrable)
    )
}

pub(super) fn foreign_key_body(foreign_key: &ForeignKey) -> String {
    let mut sql = format!(
        "FOREIGN KEY ({}) REFERENCES {} ({})",
        ident_list(&foreign_key.columns),
        qualified(&foreign_key.referenced_table),
        ident_list(&foreign_key.referenced_columns)
    );
    if foreign_key.match_type == MatchType::Full {
        sql.push_str(" MATCH FULL");
    }
    if foreign_key.on_update != ReferentialAction::NoAction {
        sql.push_str(&format!(" ON UPDATE {}", action(foreign_key.on_update)));
    }
    if foreign_key.on_delete != ReferentialAction::NoAction {
        sql.push_str(&format!(" ON DELETE {}", action(foreign_key.on_delete)));
    }
    sql.push_str(&deferrable_clause(foreign_key.deferrable));
    sql.push_str(not_valid_clause(foreign_key.valid));
    sql
}

pub(super) fn action(action: ReferentialAction) -> &'static str {
    match action {
        ReferentialAction::NoAction => "NO ACTION",
        ReferentialAction::Restrict => "RESTRICT",
        ReferentialAction::Cascade => "CASCADE",
        ReferentialAction::SetNull => "SET NULL",
        ReferentialAction::SetDefault => "SET DEFAULT",
    }
}

pub(super) fn deferrable_clause(deferrable: Deferrable) -> String {
    match deferrable {
        Deferrable::NotDeferrable => String::new(),
        Deferrable::Immediate => " DEFERRABLE INITIALLY IMMEDIATE".into(),
        Deferrable::Deferred => " DEFERRABLE INITIALLY DEFERRED".into(),
    }
}

pub(super) fn check_body(check: &CheckConstraint) -> String {
    let no_inherit = if check.no_inherit { " NO INHERIT" } else { "" };
    format!(
        "CHECK ({}){no_inherit}{}",
        check.expression.as_str(),
        not_valid_clause(check.valid)
    )
}

/// ` NOT VALID`, which only `ALTER TABLE ... ADD CONSTRAINT` honours (a table being created
/// has no rows to skip, so `CREATE TABLE` takes such a constraint as valid).
fn not_valid_clause(valid: bool) -> &'static str {
    match valid {
        true => "",
        false => " NOT VALID",
    }
}

/// `VALIDATE CONSTRAINT`; the way back drops the constraint and adds it `NOT VALID` again
/// (with its comment).
pub(super) fn validate_constraint(
    table: &QualifiedName,
    constraint: &ValidatedConstraint,
    valid: bool,
) -> Vec<String> {
    if valid {
        return vec![format!(
            "ALTER TABLE {} VALIDATE CONSTRAINT {}",
            qualified(table),
            ident(constraint.name())
        )];
    }
    let mut statements = vec![drop_constraint(table, constraint.name())];
    statements.extend(match constraint {
        ValidatedConstraint::Check(check) => {
            let check = CheckConstraint {
                valid: false,
                ..check.clone()
            };
            add_constraint_and_comment(table, &check, &check_body(&check))
        }
        ValidatedConstraint::ForeignKey(foreign_key) => {
            let foreign_key = ForeignKey {
                valid: false,
                ..foreign_key.clone()
            };
            add_constraint_and_comment(table, &foreign_key, &foreign_key_body(&foreign_key))
        }
    });
    statements
}

pub(super) fn create_index_and_comment(table: &QualifiedName, index: &Index) -> Vec<String> {
    let mut statements = vec![create_index(table, index)];
    if let Some(comment) = &index.comment {
        statements.push(index_comment(table, &index.name, Some(comment)));
    }
    statements
}

pub(super) fn index_comment(table: &QualifiedName, index: &str, comment: Option<&str>) -> String {
    let name = qualified(&QualifiedName::new(&table.schema, index));
    comment_on("INDEX", &name, comment)
}

pub(super) fn create_index(table: &QualifiedName, index: &Index) -> String {
    create_index_in(table, index, "")
}

/// `CREATE INDEX` with `how` (`CONCURRENTLY IF NOT EXISTS `, or nothing) after `INDEX`.
pub(super) fn create_index_in(table: &QualifiedName, index: &Index, how: &str) -> String {
    let unique = if index.unique { "UNIQUE " } else { "" };
    let method = if index.method == "btree" {
        String::new()
    } else {
        format!(" USING {}", ident(&index.method))
    };
    let keys: Vec<String> = index.keys.iter().map(index_key).collect();
    let mut sql = format!(
        "CREATE {unique}INDEX {how}{} ON {}{method} ({})",
        ident(&index.name),
        qualified(table),
        keys.join(", ")
    );
    if !index.include.is_empty() {
        sql.push_str(&format!(" INCLUDE ({})", ident_list(&index.include)));
    }
    if index.nulls_not_distinct {
        sql.push_str(" NULLS NOT DISTINCT");
    }
    sql.push_str(&parameters::with_clause(&index.storage_parameters));
    if let Some(predicate) = &index.predicate {
        sql.push_str(&format!(" WHERE {}", predicate.as_str()));
    }
    sql
}

/// One key of an index or exclusion constraint: a column or a parenthesized expression, with
/// its collation, operator class, order and NULLS placement where not the default.
pub(super) fn index_key(key: &IndexKey) -> String {
    let mut sql = match &key.target {
        IndexTarget::Column(name) => ident(name),
        IndexTarget::Expression(expression) => format!("({})", expression.as_str()),
    };
    if let Some(collation) = &key.collation {
        sql.push_str(&format!(" COLLATE {}", collation_name(collation)));
    }
    if let Some(opclass) = &key.opclass {
        sql.push_str(&format!(" {opclass}"));
    }
    if key.descending {
        sql.push_str(" DESC");
    }
    if key.nulls_first != key.descending {
        sql.push_str(if key.nulls_first {
            " NULLS FIRST"
        } else {
            " NULLS LAST"
        });
    }
    sql
}

/// `EXCLUDE USING method (key WITH operator, ...) [INCLUDE (...)] [WITH (...)] [WHERE (...)]`
/// and its deferrability, as `pg_get_constraintdef` orders the clauses.
pub(super) fn exclusion_body(exclusion: &ExclusionConstraint) -> String {
    let elements: Vec<String> = exclusion
        .elements
        .iter()
        .map(|element| format!("{} WITH {}", index_key(&element.key), element.operator))
        .collect();
    let mut sql = format!(
        "EXCLUDE USING {} ({})",
        ident(&exclusion.method),
        elements.join(", ")
    );
    if !exclusion.include.is_empty() {
        sql.push_str(&format!(" INCLUDE ({})", ident_list(&exclusion.include)));
    }
    sql.push_str(&parameters::with_clause(&exclusion.storage_parameters));
    if let Some(predicate) = &exclusion.predicate {
        sql.push_str(&format!(" WHERE ({})", predicate.as_str()));
    }
    sql.push_str(&deferrable_clause(exclusion.deferrable));
    sql
}
