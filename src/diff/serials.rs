//! A `serial` column on one side whose sequence is an explicit sequence on the other (the
//! same name: the file spells out what `serial` made, or the reverse). The sequence is
//! kept: the `serial` side is unfolded into the column and sequence `serial` stands for, so
//! the diff only changes the sequence's options and owner, never drops it to create it again.

use crate::model::{storage_type, Expr, Schema, Sequence, SequenceOptions};
use crate::syntax::names::column_sequence_name;
use crate::syntax::quote;

/// `side` with each `serial` column unfolded whose sequence `other` declares explicitly;
/// `None` when there is none.
pub(super) fn unfold_adopted(side: &Schema, other: &Schema) -> Option<Schema> {
    let mut unfolded = None::<Schema>;
    for table in side.tables.values() {
        for (position, column) in table.columns.iter().enumerate() {
            let data_type = storage_type(&column.data_type);
            let sequence_name = column_sequence_name(&table.name, &column.name);
            if data_type == column.data_type
                || !other.sequences.contains_key(&sequence_name)
                || side.sequences.contains_key(&sequence_name)
            {
                continue;
            }
            let schema = unfolded.get_or_insert_with(|| side.clone());
            let Some(unfolded_table) = schema.tables.get_mut(&table.name) else {
                continue;
            };
            let unfolded_column = &mut unfolded_table.columns[position];
            unfolded_column.data_type = data_type.to_string();
            // As the catalog prints it: a `regclass` on the search path.
            unfolded_column.default = Some(Expr::new(format!(
                "nextval({}::regclass)",
                quote::literal(&quote::type_name(&sequence_name))
            )));
            schema.sequences.insert(
                sequence_name.clone(),
                Sequence {
                    name: sequence_name,
                    data_type: data_type.to_string(),
                    options: SequenceOptions::default(),
                    owned_by: Some((table.name.clone(), column.name.clone())),
                    comment: None,
                },
            );
        }
    }
    unfolded
}
