//! The lossless table forms. An array of objects that share their keys
//! repeats every key in every row; a table names the columns once:
//!
//! ```text
//! [{"name":"a","v":"1","ok":true},{"name":"b","v":"2","ok":true},{"x":0}]
//! {"_headroom_table":["name","v"],"const":{"ok":true},"rows":[["a","1"],["b","2"],{"x":0}]}
//! ```
//!
//! Rows whose keys differ from the columns stay objects (unambiguous, since
//! table rows are arrays and arrays are never tabled). Columns with one value
//! in every array row move to `const`; a column of objects whose fields
//! partly repeat in every row stays in the header, and `const` holds, under
//! its name, the fields all its objects share (the rows keep the rest). An object whose values are objects of
//! one shape (npm's `dependencies`, a `versions` map) becomes
//! `{"_headroom_map":[cols],"const":{..},"rows":[["key",v,..],{"other":{..}},..]}`,
//! where an object row holds a run of entries kept as they were. The key
//! `_headroom_*` also makes the pipeline treat the output as already
//! compressed, so tabling is never applied twice.

use serde_json::{Map, Value};
use std::collections::HashMap;

pub const TABLE_KEY: &str = "_headroom_table";
pub const MAP_KEY: &str = "_headroom_map";
pub const CONST_KEY: &str = "const";
pub const ROWS_KEY: &str = "rows";

/// Rows needed before a table is worth the change of form.
const MIN_ROWS: usize = 3;
/// Bytes of repeated keys a table must save to be worth its header.
const MIN_SAVED: usize = 40;

/// Table every array and object of objects in `value`, bottom-up.
pub fn tabulate(value: Value) -> Value {
    match value {
        Value::Array(items) => {
            let items: Vec<Value> = items.into_iter().map(tabulate).collect();
            array_table(items)
        }
        Value::Object(map) => {
            let map: Map<String, Value> = map.into_iter().map(|(k, v)| (k, tabulate(v))).collect();
            map_table(map)
        }
        other => other,
    }
}

/// The columns shared by most rows, in the key order of the first such row,
/// and which rows have exactly those keys.
struct Schema {
    columns: Vec<String>,
    conforming: Vec<bool>,
    count: usize,
}

fn schema<'a>(rows: impl Iterator<Item = &'a Value>) -> Option<Schema> {
    let maps: Vec<Option<&Map<String, Value>>> = rows.map(Value::as_object).collect();
    let signature = |m: &Map<String, Value>| {
        let mut keys: Vec<&str> = m.keys().map(String::as_str).collect();
        keys.sort_unstable();
        keys.join("\u{0}")
    };
    let signatures: Vec<Option<String>> = maps.iter().map(|m| m.map(signature)).collect();
    // signature -> (count, first row); ties go to the earliest signature.
    let mut counts: HashMap<&str, (usize, usize)> = HashMap::new();
    for (i, sig) in signatures.iter().enumerate() {
        if let Some(sig) = sig {
            counts.entry(sig.as_str()).or_insert((0, i)).0 += 1;
        }
    }
    let (best, &(count, first)) = counts
        .iter()
        .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1)))?;
    let best = best.to_string();
    if count < MIN_ROWS {
        return None;
    }
    let columns: Vec<String> = maps[first]?.keys().cloned().collect();
    let conforming = signatures
        .iter()
        .map(|s| s.as_deref() == Some(best.as_str()))
        .collect();
    Some(Schema {
        columns,
        conforming,
        count,
    })
}

/// Bytes saved by naming `columns` once instead of in each of `count` rows.
fn worth_it(columns: &[String], count: usize) -> bool {
    let per_row: usize = columns.iter().map(|c| c.len() + 3).sum();
    (count - 1) * per_row >= MIN_SAVED
}

/// How the columns of a table are laid out: the columns left in the rows,
/// what is shared by every row (`const`), and for each column left the
/// fields of its objects that moved to `const`.
struct Layout {
    columns: Vec<String>,
    consts: Map<String, Value>,
    stripped: Vec<Vec<String>>,
}

/// A column with one value in every conforming row moves to `const` whole;
/// a column of objects that share some fields (same key, same value) in
/// every row keeps the rest, and the shared fields move to `const`.
fn layout(columns: &[String], rows: &[&Map<String, Value>]) -> Layout {
    let mut out = Layout {
        columns: Vec::new(),
        consts: Map::new(),
        stripped: Vec::new(),
    };
    for column in columns {
        let cells: Vec<&Value> = rows.iter().filter_map(|r| r.get(column)).collect();
        let first = cells[0];
        if rows.len() >= MIN_ROWS && cells.iter().all(|c| *c == first) {
            out.consts.insert(column.clone(), first.clone());
            continue;
        }
        let shared = shared_fields(&cells);
        out.columns.push(column.clone());
        out.stripped.push(shared.keys().cloned().collect());
        if !shared.is_empty() {
            out.consts.insert(column.clone(), Value::Object(shared));
        }
    }
    out
}

/// The fields every cell (an object) has with the same value, when moving
/// them out saves enough.
fn shared_fields(cells: &[&Value]) -> Map<String, Value> {
    let objects: Option<Vec<&Map<String, Value>>> = cells.iter().map(|c| c.as_object()).collect();
    let Some(objects) = objects.filter(|o| o.len() >= MIN_ROWS) else {
        return Map::new();
    };
    let shared: Map<String, Value> = objects[0]
        .iter()
        .filter(|(k, v)| objects[1..].iter().all(|o| o.get(*k) == Some(*v)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let bytes: usize = shared
        .iter()
        .map(|(k, v)| k.len() + 4 + v.to_string().len())
        .sum();
    if bytes * (objects.len() - 1) < MIN_SAVED {
        return Map::new();
    }
    shared
}

/// `{"_headroom_table":..}` for an array of objects, or the array itself.
fn array_table(items: Vec<Value>) -> Value {
    if items.len() < MIN_ROWS || !items.iter().all(Value::is_object) {
        return Value::Array(items);
    }
    let Some(schema) = schema(items.iter()) else {
        return Value::Array(items);
    };
    if !worth_it(&schema.columns, schema.count) {
        return Value::Array(items);
    }
    let conforming: Vec<&Map<String, Value>> = items
        .iter()
        .zip(&schema.conforming)
        .filter(|(_, c)| **c)
        .filter_map(|(v, _)| v.as_object())
        .collect();
    let layout = layout(&schema.columns, &conforming);
    let rows: Vec<Value> = items
        .into_iter()
        .zip(&schema.conforming)
        .map(|(item, &fits)| match item {
            Value::Object(map) if fits => Value::Array(take_columns(map, &layout)),
            other => other,
        })
        .collect();
    form(TABLE_KEY, layout, rows)
}

/// `{"_headroom_map":..}` for an object of objects, or the object itself.
fn map_table(map: Map<String, Value>) -> Value {
    if map.len() < MIN_ROWS {
        return Value::Object(map);
    }
    let Some(schema) = schema(map.values()) else {
        return Value::Object(map);
    };
    if !worth_it(&schema.columns, schema.count) {
        return Value::Object(map);
    }
    let conforming: Vec<&Map<String, Value>> = map
        .values()
        .zip(&schema.conforming)
        .filter(|(_, c)| **c)
        .filter_map(|(v, _)| v.as_object())
        .collect();
    let layout = layout(&schema.columns, &conforming);
    let mut rows: Vec<Value> = Vec::with_capacity(map.len());
    let mut others = Map::new();
    for ((key, value), &fits) in map.into_iter().zip(&schema.conforming) {
        match value {
            Value::Object(entry) if fits => {
                if !others.is_empty() {
                    rows.push(Value::Object(std::mem::take(&mut others)));
                }
                let mut row = vec![Value::String(key)];
                row.extend(take_columns(entry, &layout));
                rows.push(Value::Array(row));
            }
            other => {
                others.insert(key, other);
            }
        }
    }
    if !others.is_empty() {
        rows.push(Value::Object(others));
    }
    form(MAP_KEY, layout, rows)
}

/// One row's cells, in column order, without the fields moved to `const`.
fn take_columns(mut map: Map<String, Value>, layout: &Layout) -> Vec<Value> {
    layout
        .columns
        .iter()
        .zip(&layout.stripped)
        .map(|(column, stripped)| {
            let mut cell = map.remove(column).unwrap_or(Value::Null);
            if let (Value::Object(fields), false) = (&mut cell, stripped.is_empty()) {
                fields.retain(|k, _| !stripped.contains(k));
            }
            cell
        })
        .collect()
}

fn form(key: &str, layout: Layout, rows: Vec<Value>) -> Value {
    let mut out = Map::new();
    out.insert(
        key.to_string(),
        Value::Array(layout.columns.into_iter().map(Value::String).collect()),
    );
    if !layout.consts.is_empty() {
        out.insert(CONST_KEY.to_string(), Value::Object(layout.consts));
    }
    out.insert(ROWS_KEY.to_string(), Value::Array(rows));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn array_of_objects_becomes_a_table_with_constants() {
        let doc = json!([
            {"name": "alpha", "version": "1.0", "ok": true},
            {"name": "beta", "version": "2.0", "ok": true},
            {"name": "gamma", "version": "3.0", "ok": true},
            {"other": 1}
        ]);
        assert_eq!(
            tabulate(doc).to_string(),
            r#"{"_headroom_table":["name","version"],"const":{"ok":true},"rows":[["alpha","1.0"],["beta","2.0"],["gamma","3.0"],{"other":1}]}"#
        );
    }

    #[test]
    fn object_of_objects_becomes_a_map_table() {
        let doc = json!({
            "accepts": {"version": "1.3.8", "overridden": false},
            "marker": "x",
            "bytes": {"version": "3.1.2", "overridden": false},
            "debug": {"version": "2.6.9", "overridden": true}
        });
        assert_eq!(
            tabulate(doc).to_string(),
            r#"{"_headroom_map":["version","overridden"],"rows":[["accepts","1.3.8",false],{"marker":"x"},["bytes","3.1.2",false],["debug","2.6.9",true]]}"#
        );
    }

    #[test]
    fn fields_shared_by_every_object_of_a_column_move_to_const() {
        let doc = json!([
            {"path": "/a", "headers": {"host": "api.github.com", "accept": "application/json", "length": 1}},
            {"path": "/b", "headers": {"host": "api.github.com", "accept": "application/json", "length": 2}},
            {"path": "/c", "headers": {"accept": "application/json", "length": 3, "host": "api.github.com"}},
            {"path": "/d", "headers": {"host": "api.github.com", "accept": "application/json"}}
        ]);
        assert_eq!(
            tabulate(doc).to_string(),
            r#"{"_headroom_table":["path","headers"],"const":{"headers":{"host":"api.github.com","accept":"application/json"}},"rows":[["/a",{"length":1}],["/b",{"length":2}],["/c",{"length":3}],["/d",{}]]}"#
        );
    }

    #[test]
    fn small_or_mixed_collections_are_left_alone() {
        let small = json!([{"a": 1}, {"a": 2}, {"a": 3}]);
        assert_eq!(tabulate(small.clone()), small);
        let mixed = json!([{"name": "alpha", "version": "1"}, [1], {"name": "b", "version": "2"}]);
        assert_eq!(tabulate(mixed.clone()), mixed);
    }
}
