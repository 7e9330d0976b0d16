//! The lossless-only promise, checked by reconstruction: a host without a
//! store gets an output from which the original can be rebuilt exactly, so
//! nothing was omitted. A marker check alone would not do: the lossless
//! forms (JSON tables, exact ` [×N]` repeats) are written in Headroom's own
//! syntax, while a transform that silently dropped a line would carry none.
//!
//! The readers here follow the documented forms (`docs/markers.md`), not the
//! engine's code, so a writer bug is not mirrored by a reader bug.

use serde_json::{Map, Value};

const TABLE: &str = "_headroom_table";
const MAP: &str = "_headroom_map";
const CONST: &str = "const";
const ROWS: &str = "rows";

/// Why an output that names no hash to retrieve does not give back its
/// input (it lost something nobody can get back); empty when it does.
pub fn problems(input: &str, output: &str) -> Vec<String> {
    if input == output {
        return Vec::new();
    }
    let mut found = Vec::new();
    if let Ok(original) = serde_json::from_str::<Value>(input) {
        match serde_json::from_str::<Value>(output) {
            Err(e) => found.push(format!("output of JSON is not JSON: {e}")),
            Ok(value) => match expand(&value) {
                Err(e) => found.push(format!("output has a bad table form: {e}")),
                Ok(rebuilt) if rebuilt == original => {}
                Ok(_) => found.push(
                    "output names no hash but does not expand back to the input's JSON value"
                        .into(),
                ),
            },
        }
        return found;
    }
    let rebuilt = expand_repeats(output);
    if rebuilt != input {
        found.push(format!(
            "output names no hash but does not expand back to the input: {}",
            crate::snapshot::first_difference(input, &rebuilt)
        ));
    }
    found
}

/// Undo ` [×N]` exact repeats: the line, N times.
pub fn expand_repeats(output: &str) -> String {
    let mut out = String::with_capacity(output.len() * 2);
    for line in output.split_inclusive('\n') {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        let stripped = crate::fidelity::strip_repeat_suffix(body);
        let count = body[stripped.len()..]
            .trim_start_matches(" [×")
            .trim_end_matches(']')
            .parse::<usize>()
            .unwrap_or(1);
        for i in 0..count {
            out.push_str(stripped);
            if i + 1 < count || !newline.is_empty() {
                out.push('\n');
            }
        }
    }
    out
}

/// Undo the JSON table forms:
/// `{"_headroom_table":[cols],"const":{..},"rows":[[cells..] | {original}, ..]}`
/// is an array of objects, and
/// `{"_headroom_map":[cols],"const":{..},"rows":[["key",cells..] | {entries}, ..]}`
/// an object of objects. `const` holds columns with one value in every
/// array row, or, under the name of a column also in the header, the fields
/// every object of that column shares.
pub fn expand(value: &Value) -> Result<Value, String> {
    Ok(match value {
        Value::Array(items) => Value::Array(items.iter().map(expand).collect::<Result<_, _>>()?),
        Value::Object(map) if map.contains_key(TABLE) => {
            let table = Table::read(map, TABLE)?;
            let mut rows = Vec::with_capacity(table.rows.len());
            for row in table.rows {
                rows.push(match row {
                    Value::Array(cells) => Value::Object(table.record(cells)?),
                    other => expand(other)?,
                });
            }
            Value::Array(rows)
        }
        Value::Object(map) if map.contains_key(MAP) => {
            let table = Table::read(map, MAP)?;
            let mut out = Map::new();
            for row in table.rows {
                match row {
                    Value::Array(cells) => {
                        let key = cells
                            .first()
                            .and_then(Value::as_str)
                            .ok_or("map row without a string key")?;
                        out.insert(key.to_string(), Value::Object(table.record(&cells[1..])?));
                    }
                    Value::Object(entries) => {
                        for (k, v) in entries {
                            out.insert(k.clone(), expand(v)?);
                        }
                    }
                    other => return Err(format!("map row is neither array nor object: {other}")),
                }
            }
            Value::Object(out)
        }
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                out.insert(k.clone(), expand(v)?);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

struct Table<'a> {
    columns: Vec<&'a str>,
    consts: Map<String, Value>,
    rows: &'a [Value],
}

impl<'a> Table<'a> {
    fn read(map: &'a Map<String, Value>, key: &str) -> Result<Self, String> {
        let columns = map[key]
            .as_array()
            .ok_or("table columns are not an array")?
            .iter()
            .map(|c| c.as_str().ok_or("table column is not a string"))
            .collect::<Result<Vec<_>, _>>()?;
        let consts = match map.get(CONST) {
            None => Map::new(),
            Some(Value::Object(c)) => c.clone(),
            Some(other) => return Err(format!("table const is not an object: {other}")),
        };
        let rows = map
            .get(ROWS)
            .and_then(Value::as_array)
            .ok_or("table without rows")?;
        let extra: Vec<&String> = map
            .keys()
            .filter(|k| ![key, CONST, ROWS].contains(&k.as_str()))
            .collect();
        if !extra.is_empty() {
            return Err(format!("table has unknown keys {extra:?}"));
        }
        Ok(Self {
            columns,
            consts,
            rows,
        })
    }

    fn record(&self, cells: &[Value]) -> Result<Map<String, Value>, String> {
        if cells.len() != self.columns.len() {
            return Err(format!(
                "row of {} cells for {} columns",
                cells.len(),
                self.columns.len()
            ));
        }
        let mut out = Map::new();
        for (column, cell) in self.columns.iter().zip(cells) {
            out.insert(column.to_string(), expand(cell)?);
        }
        for (key, shared) in &self.consts {
            let shared = expand(shared)?;
            match (out.get_mut(key), shared) {
                (None, value) => {
                    out.insert(key.clone(), value);
                }
                (Some(Value::Object(cell)), Value::Object(fields)) => cell.extend(fields),
                (Some(_), _) => return Err(format!("const `{key}` collides with a cell")),
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_and_tables_expand_and_anything_lost_is_caught() {
        assert!(problems("a\na\na\nb", "a [×3]\nb").is_empty());
        assert!(problems("a\na\n", "a [×2]\n").is_empty());
        assert_eq!(problems("a\na\nb\n", "a [×2]\n").len(), 1, "b dropped");
        assert_eq!(problems("a\nb\n", "a [×2]\nb\n").len(), 1, "count wrong");
        let input = r#"[{"n":"a","v":1,"k":{"x":1,"y":2}},{"n":"b","v":2,"k":{"x":1,"y":3}}]"#;
        let table = r#"{"_headroom_table":["n","v","k"],"const":{"k":{"x":1}},"rows":[["a",1,{"y":2}],["b",2,{"y":3}]]}"#;
        assert!(
            problems(input, table).is_empty(),
            "{:?}",
            problems(input, table)
        );
        let map_in = r#"{"dependencies":{"a":{"version":"1"},"b":{"version":"2"},"c":7}}"#;
        let map_out = r#"{"dependencies":{"_headroom_map":["version"],"rows":[["a","1"],["b","2"],{"c":7}]}}"#;
        assert!(
            problems(map_in, map_out).is_empty(),
            "{:?}",
            problems(map_in, map_out)
        );
        let short =
            r#"{"_headroom_table":["n","v","k"],"const":{"k":{"x":1}},"rows":[["a",1,{"y":2}]]}"#;
        assert_eq!(problems(input, short).len(), 1, "row dropped");
        let marked =
            r#"[{"_headroom":"1 of 2 items omitted","retrieve":"3f9a2c7b1e04d5a6a1b2c3d4"}]"#;
        assert_eq!(problems(input, marked).len(), 1, "loss");
        assert_eq!(problems(input, "[").len(), 1, "not JSON");
    }
}
