//! Rows that stand out from their neighbours, found column by column: rare
//! values of a low-cardinality column (the one `"status":"failed"` among
//! `"ok"`s), numeric outliers (the 9 s request among 20 ms ones), and change
//! points (where a slowly changing column switches value). These are the
//! rows a reader of a long list would want to see besides its ends.

use serde_json::Value;
use std::collections::HashMap;

/// A column never yields more change points than this; a column that
/// changes more often is noise, not structure.
const MAX_CHANGES: usize = 8;
/// Robust z-score (distance from the median in MADs) of an outlier.
const OUTLIER_MADS: f64 = 8.0;

/// Row indices worth keeping, most telling first, without duplicates.
pub fn interesting(rows: &[&Value]) -> Vec<usize> {
    let n = rows.len();
    let mut rare: Vec<(usize, usize)> = Vec::new(); // (count, row)
    let mut outliers: Vec<(f64, usize)> = Vec::new(); // (score, row)
    let mut changes: Vec<usize> = Vec::new();
    for column in columns(rows) {
        if column.present * 2 < n {
            continue;
        }
        if column.cells.iter().all(|(_, c)| c.number.is_some()) {
            numeric_outliers(&column, n, &mut outliers);
        } else {
            categorical(&column, n, &mut rare, &mut changes);
        }
    }
    rare.sort_by_key(|&(count, row)| (count, row));
    outliers.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    changes.sort_unstable();
    let ordered = rare
        .into_iter()
        .map(|(_, r)| r)
        .chain(outliers.into_iter().map(|(_, r)| r))
        .chain(changes);
    let mut out: Vec<usize> = Vec::new();
    for row in ordered {
        if !out.contains(&row) {
            out.push(row);
        }
    }
    out
}

/// One scalar cell: its text (for counting) and its value as a number.
struct Cell<'a> {
    text: &'a str,
    number: Option<f64>,
}

struct Column<'a> {
    /// (row index, cell), in row order.
    cells: Vec<(usize, Cell<'a>)>,
    present: usize,
}

/// The scalar columns of `rows`: the top-level scalar fields of object rows,
/// or the rows themselves when they are scalars. Columns are listed in order
/// of first appearance (the lookup map is never iterated).
fn columns<'a>(rows: &[&'a Value]) -> Vec<Column<'a>> {
    let mut out: Vec<Column<'a>> = Vec::new();
    let mut index: HashMap<&'a str, usize> = HashMap::new();
    for (row, value) in rows.iter().enumerate() {
        match value {
            Value::Object(map) => {
                for (key, field) in map {
                    let Some(cell) = cell(field) else { continue };
                    let slot = *index.entry(key.as_str()).or_insert_with(|| {
                        out.push(Column {
                            cells: Vec::new(),
                            present: 0,
                        });
                        out.len() - 1
                    });
                    out[slot].cells.push((row, cell));
                    out[slot].present += 1;
                }
            }
            other => {
                let Some(cell) = cell(other) else { continue };
                if out.is_empty() {
                    out.push(Column {
                        cells: Vec::new(),
                        present: 0,
                    });
                }
                out[0].cells.push((row, cell));
                out[0].present += 1;
            }
        }
    }
    out
}

fn cell(value: &Value) -> Option<Cell<'_>> {
    match value {
        Value::String(s) => Some(Cell {
            text: s,
            number: None,
        }),
        Value::Bool(true) => Some(Cell {
            text: "true",
            number: None,
        }),
        Value::Bool(false) => Some(Cell {
            text: "false",
            number: None,
        }),
        Value::Number(n) => Some(Cell {
            text: "",
            number: n.as_f64().filter(|x| x.is_finite()),
        }),
        _ => None,
    }
}

fn numeric_outliers(column: &Column, n: usize, out: &mut Vec<(f64, usize)>) {
    let mut values: Vec<f64> = column.cells.iter().filter_map(|(_, c)| c.number).collect();
    if values.len() < 4 {
        return;
    }
    let median = median_of(&mut values);
    let mut deviations: Vec<f64> = values.iter().map(|x| (x - median).abs()).collect();
    let mad = median_of(&mut deviations);
    if mad > 0.0 {
        for (row, c) in &column.cells {
            let score = (c.number.unwrap_or(median) - median).abs() / mad;
            if score > OUTLIER_MADS {
                out.push((score, *row));
            }
        }
    } else {
        // Almost all values equal: the few that differ are the outliers.
        let differing: Vec<usize> = column
            .cells
            .iter()
            .filter(|(_, c)| c.number.is_some_and(|x| x != median))
            .map(|(r, _)| *r)
            .collect();
        if !differing.is_empty() && differing.len() * 20 <= n.max(20) {
            out.extend(differing.into_iter().map(|r| (f64::MAX, r)));
        }
    }
}

fn median_of(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Rare values and change points of a text column with few distinct values.
fn categorical(
    column: &Column,
    n: usize,
    rare: &mut Vec<(usize, usize)>,
    changes: &mut Vec<usize>,
) {
    let mut counts: HashMap<&str, (usize, usize)> = HashMap::new(); // text -> (count, first row)
    for (row, c) in &column.cells {
        counts.entry(c.text).or_insert((0, *row)).0 += 1;
    }
    let distinct = counts.len();
    if distinct < 2 || distinct > (n / 5).max(2) {
        return;
    }
    let rare_limit = (n / 20).max(1);
    let mut found: Vec<(usize, usize)> = counts
        .values()
        .filter(|(count, _)| *count <= rare_limit)
        .map(|&(count, first)| (count, first))
        .collect();
    found.sort_unstable();
    rare.extend(found);
    let switches: Vec<usize> = column
        .cells
        .windows(2)
        .filter(|w| w[0].1.text != w[1].1.text)
        .map(|w| w[1].0)
        .collect();
    if switches.len() <= MAX_CHANGES {
        changes.extend(switches);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rows_of(value: &Value) -> Vec<&Value> {
        value.as_array().unwrap().iter().collect()
    }

    #[test]
    fn finds_rare_values_outliers_and_changes() {
        let mut items: Vec<Value> = (0..40)
            .map(|i| json!({"id": i, "ms": 20 + i % 3, "status": "ok", "phase": "a"}))
            .collect();
        items[17]["status"] = json!("failed");
        items[23]["ms"] = json!(9000);
        for item in &mut items[30..] {
            item["phase"] = json!("b");
        }
        let value = Value::Array(items);
        let found = interesting(&rows_of(&value));
        // The rare value first, then the outlier, then the change points.
        assert_eq!(&found[..2], &[17, 23], "{found:?}");
        assert!(found.contains(&30), "{found:?}");
    }

    #[test]
    fn unique_or_uniform_columns_yield_nothing() {
        let value = Value::Array(
            (0..50)
                .map(|i| json!({"id": i, "name": format!("pkg{i}")}))
                .collect(),
        );
        assert!(interesting(&rows_of(&value)).is_empty());
    }
}
