//! Which rows of a large array (or entries of a large map-like object) to
//! keep. In order of precedence: every row recording a distinct error, rows
//! matching the query, the first and last rows, then rows that stand out
//! ([`super::features`]). Exact duplicates of an earlier row are never kept:
//! the marker counts them with the other omitted rows.

use super::features;
use super::rows;
use crate::query::Query;
use serde_json::Value;
use std::collections::HashSet;

/// One row: an array element (`key` is `None`) or a map entry.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub key: Option<&'a str>,
    pub value: &'a Value,
}

/// The keep mask for `rows`. `texts` are the rows serialized (for exact
/// duplicate detection); `budget` is the profile's `json_rows`: a third of it
/// goes to the head, a third to the tail, the rest to rows that stand out.
/// Error rows are not limited by the budget (one per distinct error); query
/// rows are limited to `budget`.
pub fn select(rows: &[Row], texts: &[String], budget: usize, query: &Query) -> Vec<bool> {
    let n = rows.len();
    let mut seen: HashSet<&str> = HashSet::with_capacity(n);
    let unique: Vec<bool> = texts.iter().map(|t| seen.insert(t.as_str())).collect();
    let mut keep = vec![false; n];
    let third = budget.div_ceil(3);
    let firsts = (0..n).filter(|&i| unique[i]).take(third);
    let lasts = (0..n).rev().filter(|&i| unique[i]).take(third);
    for i in firsts.chain(lasts) {
        keep[i] = true;
    }

    let mut signatures: HashSet<String> = HashSet::new();
    for (i, row) in rows.iter().enumerate() {
        if unique[i] {
            if let Some(signature) = rows::error_signature(row.value) {
                if signatures.insert(signature) {
                    keep[i] = true;
                }
            }
        }
    }

    for i in query_rows(rows, budget, query) {
        keep[i] |= unique[i];
    }

    let quota = budget.saturating_sub(2 * third).max(2);
    let values: Vec<&Value> = rows.iter().map(|r| r.value).collect();
    let standouts = features::interesting(&values)
        .into_iter()
        .filter(|&i| unique[i] && !keep[i]);
    for i in standouts.take(quota).collect::<Vec<_>>() {
        keep[i] = true;
    }
    keep
}

/// Up to `budget` rows matching the query best. Only selective terms count:
/// a term found in more than a third of the rows (`github` in a list of
/// GitHub API records) says nothing about which rows matter.
fn query_rows(rows: &[Row], budget: usize, query: &Query) -> Vec<usize> {
    if query.is_empty() {
        return Vec::new();
    }
    let texts: Vec<String> = rows
        .iter()
        .map(|r| rows::query_text(r.key, r.value))
        .collect();
    let selective: Vec<&str> = query
        .terms()
        .iter()
        .map(String::as_str)
        .filter(|term| {
            let hits = texts.iter().filter(|t| t.contains(term)).count();
            hits > 0 && hits * 3 <= rows.len()
        })
        .collect();
    if selective.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(usize, usize)> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| (selective.iter().filter(|term| t.contains(*term)).count(), i))
        .filter(|&(score, _)| score > 0)
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().take(budget).map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(items: &[Value], budget: usize, query: &str) -> Vec<usize> {
        let rows: Vec<Row> = items.iter().map(|value| Row { key: None, value }).collect();
        let texts: Vec<String> = items.iter().map(Value::to_string).collect();
        let keep = select(&rows, &texts, budget, &Query::from_texts([query]));
        keep.iter()
            .enumerate()
            .filter(|(_, k)| **k)
            .map(|(i, _)| i)
            .collect()
    }

    #[test]
    fn keeps_ends_errors_and_query_rows_and_drops_duplicates() {
        let mut items: Vec<Value> = (0..100)
            .map(|i| json!({"id": i, "name": format!("item{i}")}))
            .collect();
        items[40] = json!({"id": 40, "name": "item40", "error": "disk full"});
        items[41] = json!({"id": 41, "name": "item41", "error": "disk full"});
        items[60]["name"] = json!("parse_config");
        items[98] = items[99].clone();
        let kept = run(&items, 6, "why does parse_config break");
        // 41 repeats 40's error, 99 duplicates 98: both omitted.
        assert_eq!(kept, vec![0, 1, 40, 60, 97, 98]);
    }

    #[test]
    fn identical_errors_are_kept_once() {
        let mut items: Vec<Value> = (0..50).map(|i| json!({"id": i})).collect();
        for i in [10, 20, 30] {
            items[i] = json!({"id": i, "status": 503, "message": "Service Unavailable"});
        }
        let kept = run(&items, 3, "");
        assert!(
            kept.contains(&10) && !kept.contains(&20) && !kept.contains(&30),
            "{kept:?}"
        );
    }
}
