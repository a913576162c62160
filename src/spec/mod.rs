//! Stage 1, load: `schema.yaml` → `model::Schema` (desired), plus a `SourceMap` for errors.
//!
//! The only module that knows YAML. `raw` deserializes (yaml_serde attaches positions to
//! single-value errors), `lower` resolves names and cross-references, `write` goes back to
//! YAML. Reads one file in `load`; never touches a database.

mod locate;
mod lower;
mod nesting;
mod raw;
pub(crate) mod types;
mod write;

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Location, Result};
use crate::model::{ObjectRef, Schema};

/// A loaded schema file.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub schema: Schema,
    pub source_map: SourceMap,
}

/// Where each object was declared (the position of its key), so later stages can point at a line.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    locations: BTreeMap<ObjectRef, Location>,
}

impl SourceMap {
    pub fn new(locations: BTreeMap<ObjectRef, Location>) -> SourceMap {
        SourceMap { locations }
    }

    /// Where `object` was declared; implied schemas point at their first table or enum.
    pub fn locate(&self, object: &ObjectRef) -> Option<Location> {
        self.locations.get(object).copied()
    }
}

/// Reads and parses a schema file.
pub fn load(path: &Path) -> Result<Loaded> {
    let bytes = crate::fs::read_input(path)?;
    parse(decode(&bytes, path)?, path)
}

/// Parses schema YAML text; `path` is used in error messages only.
pub fn parse(text: &str, path: &Path) -> Result<Loaded> {
    nesting::check(text, path)?;
    let file = yaml_serde::from_str::<Option<raw::File>>(text)
        .map_err(|error| yaml_error(&error, path))?
        .unwrap_or_default();
    let locator = locate::Locator::new(text);
    let (schema, locations) = lower::lower(file, &locator, path)?;
    Ok(Loaded {
        schema,
        source_map: SourceMap { locations },
    })
}

/// The JSON Schema of the schema file (`schema/autogen.schema.json`), for editors: printed by
/// `autogen schema-json`, and written beside the schema file by `init`.
pub const JSON_SCHEMA: &str = include_str!("../../schema/autogen.schema.json");

/// What `init` names the JSON Schema beside the schema file.
pub const JSON_SCHEMA_FILE_NAME: &str = "autogen.schema.json";

/// The first line of the schema files `init` and `inspect` write: YAML editors that use
/// yaml-language-server complete and check the file against the JSON Schema beside it.
pub const LANGUAGE_SERVER_LINE: &str = "# yaml-language-server: $schema=autogen.schema.json\n";

/// Renders a schema as schema YAML that `parse` reads back to an equal `Schema`.
///
/// Lossless for schemas `parse` can produce; a nullable primary key or identity column (which
/// PostgreSQL cannot have) comes back NOT NULL.
pub fn write(schema: &Schema) -> String {
    write::write(schema)
}

/// The file as UTF-8, or an error at the first invalid byte.
fn decode<'a>(bytes: &'a [u8], path: &Path) -> Result<&'a str> {
    std::str::from_utf8(bytes).map_err(|error| {
        let valid = &bytes[..error.valid_up_to()];
        let line_start = valid
            .iter()
            .rposition(|&byte| byte == b'\n')
            .map_or(0, |newline_idx| newline_idx + 1);
        let column = String::from_utf8_lossy(&valid[line_start..])
            .chars()
            .count()
            + 1;
        Error::Spec {
            path: path.to_path_buf(),
            location: Some(Location {
                line: valid.iter().filter(|&&byte| byte == b'\n').count() + 1,
                column,
            }),
            object: None,
            message: "file is not valid UTF-8".to_owned(),
        }
    })
}

/// Splits yaml_serde's `path: message at line L column C` into our fields.
fn yaml_error(error: &yaml_serde::Error, path: &Path) -> Error {
    let location = error.location().map(|location| Location {
        line: location.line(),
        column: location.column(),
    });
    let message = strip_positions(&error.to_string());
    // yaml_serde prefixes the path unless the error is at the root; serde's own messages
    // that contain ": " all start with one of these.
    let (object, message) = match message.split_once(": ") {
        Some((head, _)) if head == "invalid type" || head == "invalid value" => (None, message),
        Some((object, rest)) => (Some(object.to_owned()), rest.to_owned()),
        None => (None, message),
    };
    Error::Spec {
        path: path.to_path_buf(),
        location,
        object,
        message,
    }
}

/// Removes every ` at line L column C` (libyaml adds one per mark) and ` at position N`.
fn strip_positions(message: &str) -> String {
    let mut stripped = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at_idx) = rest.find(" at ") {
        stripped.push_str(&rest[..at_idx]);
        let after = &rest[at_idx + " at ".len()..];
        let skipped = skip_position(after);
        if skipped.len() == after.len() {
            stripped.push_str(" at ");
        }
        rest = skipped;
    }
    stripped.push_str(rest);
    stripped
}

/// `line 3 column 5, ...` → `, ...`; `position 9` → ``; anything else unchanged.
fn skip_position(text: &str) -> &str {
    let skip_number = |text: &'_ str| -> Option<usize> {
        let digits = text.bytes().take_while(u8::is_ascii_digit).count();
        (digits > 0).then_some(digits)
    };
    if let Some(after_line) = text.strip_prefix("line ") {
        if let Some(line_digits) = skip_number(after_line) {
            if let Some(after_column) = after_line[line_digits..].strip_prefix(" column ") {
                if let Some(column_digits) = skip_number(after_column) {
                    return &after_column[column_digits..];
                }
            }
        }
    } else if let Some(after_position) = text.strip_prefix("position ") {
        if let Some(digits) = skip_number(after_position) {
            return &after_position[digits..];
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::QualifiedName;

    const EXAMPLE: &str = r#"schemas: [billing, audit]
extensions: [pgcrypto, citext]
enums:
  enrollment_status: [enrolled, graduated, withdrawn]
  billing.currency: { values: [eur, usd], comment: "ISO codes" }
tables:
  departments:
    columns:
      id: { type: integer, identity: always }
      name: { type: text, nullable: false }
    primary_key: [id]
    unique:
      departments_name_key: [name]
  students:
    comment: Everyone enrolled at the university
    columns:
      id: { type: bigint, identity: by_default }
      student_number: { type: varchar(12), nullable: false }
      full_name: { type: text, nullable: false }
      email: text
      department_id: integer
      status: { type: enrollment_status, nullable: false, default: "'enrolled'" }
      enrolled_at: { type: timestamptz, nullable: false, default: now() }
      gpa: numeric(3,2)
      name_upper: { type: text, generated: "upper(full_name)" }
      code: { type: text, collation: "C", comment: "..." }
      tags: { type: "text[]", default: "'{}'" }
      balance: { type: billing.currency }
    primary_key: [id]
    unique:
      students_student_number_key: [student_number]
      students_email_code_key: { columns: [email, code], nulls_not_distinct: true, deferrable: true, initially_deferred: true }
    foreign_keys:
      students_department_id_fkey:
        columns: [department_id]
        references: { table: departments, columns: [id] }
        on_delete: set_null
        on_update: cascade
        deferrable: true
        initially_deferred: true
    checks:
      students_gpa_check: "gpa between 0 and 4"
      students_code_check: { expression: "code <> ''" }
    indexes:
      students_full_name_idx: { columns: [full_name] }
      students_recent_idx: { columns: [enrolled_at], where: "status = 'enrolled'" }
      students_email_lower_idx: { expressions: ["lower(email)"], unique: true }
      students_mixed_idx:
        columns:
          - { column: full_name, order: desc, nulls: last, opclass: text_pattern_ops, collation: "C" }
          - { expression: "lower(code)", nulls: first }
          - department_id
        using: btree
        include: [gpa]
        nulls_not_distinct: true
  billing.invoices:
    columns:
      id: { type: uuid, default: gen_random_uuid() }
      student_id: bigint
      amount: { type: "numeric(10, 2)", default: 0 }
      paid: { type: boolean, default: false }
      search: tsvector
    primary_key: { name: invoices_pk, columns: [id] }
    foreign_keys:
      - { columns: [student_id], references: { table: students } }
    indexes:
      - { columns: [student_id, paid] }
      - { columns: [search], using: gin }
  '"Odd Schema"."Weird ""Table"""':
    columns:
      '"quoted" col': integer
  '"my.table"': {}
"#;

    fn parse_example() -> Loaded {
        parse(EXAMPLE, Path::new("schema.yaml")).expect("the example parses")
    }

    #[test]
    fn example_lowers_as_documented() {
        let schema = parse_example().schema;
        let names: Vec<String> = schema.schemas.iter().cloned().collect();
        assert_eq!(names, ["Odd Schema", "audit", "billing", "public"]);
        let students = &schema.tables[&QualifiedName::new("public", "students")];
        let column_names: Vec<&str> = students
            .columns
            .iter()
            .map(|column| column.name.as_str())
            .collect();
        assert_eq!(
            &column_names[..4],
            ["id", "student_number", "full_name", "email"]
        );
        // Primary key and identity imply NOT NULL.
        assert!(!students.columns[0].nullable);
        assert!(students.columns[3].nullable);
        let invoices = &schema.tables[&QualifiedName::new("billing", "invoices")];
        let amount = invoices.column("amount").expect("amount exists");
        assert_eq!(
            amount.default.as_ref().map(|default| default.as_str()),
            Some("0")
        );
        assert_eq!(amount.data_type, "numeric(10, 2)");
        let paid = invoices.column("paid").expect("paid exists");
        assert_eq!(
            paid.default.as_ref().map(|default| default.as_str()),
            Some("false")
        );
        // Default names and the implied referenced primary key.
        let key = &invoices.foreign_keys["invoices_student_id_fkey"];
        assert_eq!(
            key.referenced_table,
            QualifiedName::new("public", "students")
        );
        assert_eq!(key.referenced_columns, ["id"]);
        assert!(invoices
            .indexes
            .contains_key("invoices_student_id_paid_idx"));
        assert!(invoices.indexes.contains_key("invoices_search_idx"));
        assert_eq!(
            invoices.primary_key.as_ref().map(|key| key.name.as_str()),
            Some("invoices_pk")
        );
        let odd = QualifiedName::new("Odd Schema", "Weird \"Table\"");
        assert!(schema.tables[&odd].column("\"quoted\" col").is_some());
        assert!(schema
            .tables
            .contains_key(&QualifiedName::new("public", "my.table")));
        let mixed = &students.indexes["students_mixed_idx"];
        assert!(mixed.keys[0].descending && !mixed.keys[0].nulls_first);
        assert!(!mixed.keys[1].descending && mixed.keys[1].nulls_first);
    }

    #[test]
    fn source_map_points_at_keys() {
        let loaded = parse_example();
        let students = QualifiedName::new("public", "students");
        let at = |object: ObjectRef| {
            loaded
                .source_map
                .locate(&object)
                .map(|location| (location.line, location.column))
        };
        assert_eq!(at(ObjectRef::Table(students.clone())), Some((14, 3)));
        assert_eq!(
            at(ObjectRef::Column(students.clone(), "email".to_owned())),
            Some((20, 7))
        );
        assert_eq!(
            at(ObjectRef::Constraint(
                students.clone(),
                "students_pkey".to_owned()
            )),
            Some((29, 5))
        );
        assert_eq!(
            at(ObjectRef::Index(
                students.clone(),
                "students_recent_idx".to_owned()
            )),
            Some((46, 7))
        );
        let invoices = QualifiedName::new("billing", "invoices");
        assert_eq!(
            at(ObjectRef::Index(
                invoices.clone(),
                "invoices_search_idx".to_owned()
            )),
            Some((68, 7))
        );
        assert_eq!(at(ObjectRef::Schema("billing".to_owned())), Some((1, 1)));
    }

    #[test]
    fn write_round_trips() {
        let schema = parse_example().schema;
        let written = write(&schema);
        let reparsed = parse(&written, Path::new("written.yaml")).map(|loaded| loaded.schema);
        match reparsed {
            Ok(reparsed) => assert_eq!(reparsed, schema, "written:\n{written}"),
            Err(error) => panic!("{error}\nwritten:\n{written}"),
        }
        assert_eq!(write(&schema), written, "write is deterministic");
    }

    #[test]
    fn write_round_trips_table_key_and_view_attributes() {
        let text = "\
schemas:
  audit: { comment: kept apart }
  archive:
sequences:
  audit.ids: { type: integer, comment: one per event }
tables:
  rooms:
    unlogged: true
    columns: { building: text, number: integer }
    primary_key: { columns: [building, number], deferrable: true, initially_deferred: true, comment: where }
    checks:
      positive: { expression: number > 0, comment: \"no room 0\" }
  rows:
    columns: { building: text, number: integer }
    unique: [{ columns: [building, number], comment: one row }]
  visits:
    unlogged: true
    columns: { building: text, number: integer, during: tstzrange }
    exclude:
      - using: gist
        elements: [{ column: number, operator: \"=\" }, { column: during, operator: \"&&\" }]
        include: [building]
        where: number > 0
        with: { fillfactor: 80 }
        deferrable: true
      - elements: [{ column: building, operator: \"=\", order: desc, opclass: text_pattern_ops }]
    foreign_keys:
      - { columns: [building, number], references: { table: rows, columns: [building, number] }, match: full }
  shifts:
    columns: { nurse: text }
    exclude:
      shifts_by_nurse:
        elements: [{ expression: lower(nurse), operator: \"=\", collation: C }]
views:
  guarded:
    query: SELECT building FROM rows
    security_barrier: true
    security_invoker: true
    check_option: cascaded
    column_comments: { building: where it stands }
";
        let schema = parse(text, Path::new("schema.yaml"))
            .expect("parses")
            .schema;
        let written = write(&schema);
        let reparsed = parse(&written, Path::new("written.yaml")).map(|loaded| loaded.schema);
        match reparsed {
            Ok(reparsed) => assert_eq!(reparsed, schema, "written:\n{written}"),
            Err(error) => panic!("{error}\nwritten:\n{written}"),
        }
        for attribute in [
            "unlogged: true",
            "initially_deferred: true",
            "match: full",
            "visits_number_during_building_excl:",
            "visits_building_excl:",
            "comment: no room 0",
            "comment: one row",
            "audit: { comment: kept apart }",
            "column_comments: { building: where it stands }",
            "comment: one per event",
        ] {
            assert!(written.contains(attribute), "{attribute} in:\n{written}");
        }
    }

    #[test]
    fn extensions_in_a_schema_round_trip() {
        let text = "extensions:\n  pgcrypto: { schema: ext }\n  citext:\ntables:\n  t:\n    columns:\n      c: citext2\n";
        let schema = parse(text, Path::new("schema.yaml"))
            .expect("parses")
            .schema;
        assert!(
            schema.schemas.contains("ext"),
            "the extension's schema is implied"
        );
        let written = write(&schema);
        assert!(
            written.starts_with("extensions:\n  citext: {}\n  pgcrypto: { schema: ext }\n"),
            "{written}"
        );
        let reparsed = parse(&written, Path::new("written.yaml")).map(|loaded| loaded.schema);
        assert_eq!(reparsed.ok(), Some(schema));
    }

    /// Names and text that YAML would misread if written plain.
    #[test]
    fn write_round_trips_odd_text() {
        use crate::model::{CheckConstraint, Column, Enum, Expr, Table};
        let odd = [
            "we:ird #name",
            " lead",
            "- dash",
            "null",
            "123",
            "true",
            "a,b",
            "é\u{2028}x",
            "'q'",
        ];
        let mut schema = parse("{}", Path::new("schema.yaml"))
            .expect("empty parses")
            .schema;
        let values = odd.iter().map(|value| value.to_string()).collect();
        let enum_name = QualifiedName::new("Odd Schema", "my.enum");
        let comment = Some("multi\nline \"quoted\" 'x' \\ back".to_owned());
        schema.enums.insert(
            enum_name.clone(),
            Enum {
                name: enum_name,
                values,
                comment: comment.clone(),
            },
        );
        for (table_idx, name) in odd.iter().enumerate() {
            let table_name = QualifiedName::new(
                if table_idx % 2 == 0 {
                    "public"
                } else {
                    "Odd Schema"
                },
                *name,
            );
            let mut table = Table::new(table_name.clone());
            table.comment = comment.clone();
            for column_name in odd {
                let mut column = Column::new(column_name, "\"Odd Schema\".\"my.enum\"");
                let literal = column_name.replace('\'', "''");
                column.default = Some(Expr::new(format!("'{literal}'")));
                table.columns.push(column);
            }
            let check = CheckConstraint {
                name: name.to_string(),
                expression: Expr::new("a\n  and b = 'c: d'"),
                valid: true,
                comment: None,
                no_inherit: false,
            };
            table.checks.insert(name.to_string(), check);
            schema.tables.insert(table_name, table);
        }
        schema.schemas.insert("Odd Schema".to_owned());
        let written = write(&schema);
        match parse(&written, Path::new("written.yaml")) {
            Ok(loaded) => assert_eq!(loaded.schema, schema, "written:\n{written}"),
            Err(error) => panic!("{error}\nwritten:\n{written}"),
        }
    }

    #[test]
    fn write_is_concise() {
        let written = write(&parse_example().schema);
        for line in [
            "schemas: [audit]\n",
            "extensions: [citext, pgcrypto]\n",
            "  enrollment_status: [enrolled, graduated, withdrawn]\n",
            "      email: text\n",
            "      gpa: numeric(3,2)\n",
            "      id: { type: bigint, identity: by_default }\n",
            "    primary_key: [id]\n",
            "      students_email_lower_idx: { expressions: [lower(email)], unique: true }\n",
            "  '\"Odd Schema\".\"Weird \"\"Table\"\"\"':\n",
            "  '\"my.table\"': {}\n",
        ] {
            assert!(written.contains(line), "missing {line:?} in:\n{written}");
        }
    }

    #[test]
    fn empty_documents_are_empty_schemas() {
        for text in ["", "{}", "tables: {}", "# nothing\n", "tables:\n", "~"] {
            let schema = parse(text, Path::new("schema.yaml")).map(|loaded| loaded.schema);
            let expected = Schema {
                schemas: ["public".to_owned()].into(),
                ..Schema::default()
            };
            assert_eq!(schema.ok(), Some(expected), "{text:?}");
        }
        assert_eq!(write(&Schema::default()), "{}\n");
    }

    #[test]
    fn hostile_inputs_are_errors() {
        for text in [
            "[]",
            "tables: []",
            "tables: 3",
            "tables:\n  t: []",
            "tables:\n  t:\n    columns: [a]",
            "- a\n- b",
            "a: [",
            "\t- x",
            "tables:\n  t:\n    columns:\n      a: ~",
        ] {
            assert!(parse(text, Path::new("schema.yaml")).is_err(), "{text:?}");
        }
        let error = decode(b"tables:\n  t\xff: {}\n", Path::new("schema.yaml")).map(|_| ());
        assert_eq!(
            error.map_err(|error| error.to_string()),
            Err("schema.yaml:2:4: file is not valid UTF-8".to_owned())
        );
    }

    #[test]
    fn positions_are_stripped_from_messages() {
        assert_eq!(
            strip_positions("did not find expected key at line 3 column 5, while parsing a block mapping at line 1 column 1"),
            "did not find expected key, while parsing a block mapping"
        );
        assert_eq!(strip_positions("look at line 3"), "look at line 3");
    }

    /// Every `fixtures/errors/<case>/schema.yaml` must fail with exactly `expected.txt`.
    #[test]
    fn error_fixtures() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/errors");
        let mut cases: Vec<_> = std::fs::read_dir(&root)
            .expect("fixtures/errors exists")
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| path.is_dir())
            .collect();
        cases.sort();
        let mut failures = Vec::new();
        for case in &cases {
            let bytes = std::fs::read(case.join("schema.yaml")).expect("schema.yaml exists");
            let expected =
                std::fs::read_to_string(case.join("expected.txt")).expect("expected.txt exists");
            let path = Path::new("schema.yaml");
            let outcome = decode(&bytes, path).and_then(|text| parse(text, path));
            let actual = match outcome {
                Ok(_) => "(no error)".to_owned(),
                Err(error) => error.to_string(),
            };
            if actual != expected.trim_end() {
                failures.push(format!(
                    "{}:\n  expected: {}\n  actual:   {actual}",
                    case.display(),
                    expected.trim_end()
                ));
            }
        }
        assert!(!cases.is_empty(), "no error fixtures found");
        assert!(
            failures.is_empty(),
            "{} of {} error fixtures failed:\n{}",
            failures.len(),
            cases.len(),
            failures.join("\n")
        );
    }
}
