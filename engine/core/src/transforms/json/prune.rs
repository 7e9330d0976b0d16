//! The lossy stage, top-down over the parsed document: cut large arrays and
//! map-like objects to a selection of rows, drop derived link fields, cut
//! long strings. Top-down so rows that are dropped cost no further work.
//! Every cut leaves a marker where the content was.

use super::select::{self, Row};
use super::{links, markers, terms, Omissions};
use crate::query::Query;
use crate::transforms::Ctx;
use serde_json::{Map, Value};

/// A container is only cut when its rows serialize to at least this many
/// bytes: cutting a short list saves little and loses what a reader wants
/// to see whole (a package's 28 dependencies).
const MIN_CUT_BYTES: usize = 1024;
/// Characters of a long string kept per unit of `json_rows`.
const CHARS_PER_ROW: usize = 40;

/// Query terms found as words more often than this many times per kept row
/// are not selective anywhere in the document (see [`terms`]).
const TERM_HITS_PER_ROW: usize = 2;
/// Records with at least this many fields lose their empty ones.
const MIN_RECORD_FIELDS: usize = 8;
/// Fewer empty fields than this are not worth a marker.
const MIN_EMPTY_FIELDS: usize = 3;

pub fn prune(value: &mut Value, text: &str, ctx: &Ctx, omitted: &mut Omissions) {
    let budget = ctx.params.json_rows.max(1);
    let query = terms::selective(ctx.query, text, budget * TERM_HITS_PER_ROW);
    let mut pruner = Pruner {
        hash: ctx.hash,
        query: &query,
        budget,
        max_rows: budget + budget / 2,
        max_chars: budget * CHARS_PER_ROW,
        omitted,
    };
    pruner.walk(value, false);
}

struct Pruner<'c> {
    hash: &'c str,
    query: &'c Query,
    /// Rows kept from a cut container (before errors and query matches).
    budget: usize,
    /// Containers with more rows than this are cut.
    max_rows: usize,
    /// Strings longer than this (plus half again) are cut to this length.
    max_chars: usize,
    omitted: &'c mut Omissions,
}

impl Pruner<'_> {
    /// `is_row`: `value` is an element of an array or a value of a map-like
    /// object, whose fields must stay alike for the table form.
    fn walk(&mut self, value: &mut Value, is_row: bool) {
        match value {
            Value::String(s) => self.cut_string(s),
            Value::Array(items) => {
                self.cut_array(items);
                items.iter_mut().for_each(|item| self.walk(item, true));
            }
            Value::Object(map) => {
                let links = links::drop_derived(map);
                let empty = if is_row { 0 } else { drop_empty(map) };
                let mut parts = Vec::new();
                if links > 0 {
                    parts.push(super::counted(links, "link field"));
                }
                if empty > 0 {
                    parts.push(super::counted(empty, "empty field"));
                }
                let map_like = parts.is_empty() && self.cut_map(map);
                if !parts.is_empty() {
                    self.omitted.link_fields += links;
                    self.omitted.empty_fields += empty;
                    let text = format!("{} omitted", parts.join(", "));
                    markers::insert_entries(map, map.len(), &text, self.hash);
                }
                map.values_mut().for_each(|v| self.walk(v, map_like));
            }
            _ => {}
        }
    }

    /// Serialized rows, or `None` when the container is too small to cut.
    fn texts_if_large<'v>(
        &self,
        rows: impl Iterator<Item = (Option<&'v str>, &'v Value)>,
    ) -> Option<Vec<String>> {
        let texts: Vec<String> = rows
            .map(|(key, value)| match key {
                Some(key) => format!("{key:?}:{value}"),
                None => value.to_string(),
            })
            .collect();
        (texts.iter().map(String::len).sum::<usize>() >= MIN_CUT_BYTES).then_some(texts)
    }

    fn cut_array(&mut self, items: &mut Vec<Value>) {
        let n = items.len();
        if n <= self.max_rows {
            return;
        }
        let Some(texts) = self.texts_if_large(items.iter().map(|v| (None, v))) else {
            return;
        };
        let rows: Vec<Row> = items.iter().map(|value| Row { key: None, value }).collect();
        let keep = select::select(&rows, &texts, self.budget, self.query);
        let kept = keep.iter().filter(|k| **k).count();
        self.omitted.items_omitted += n - kept;
        self.omitted.items_total += n;
        let mut out = Vec::with_capacity(kept + 8);
        let mut run = 0;
        for (item, keep) in std::mem::take(items).into_iter().zip(keep) {
            if keep {
                self.flush_gap(&mut out, &mut run, n);
                out.push(item);
            } else {
                run += 1;
            }
        }
        self.flush_gap(&mut out, &mut run, n);
        *items = out;
    }

    fn flush_gap(&self, out: &mut Vec<Value>, run: &mut usize, n: usize) {
        if *run > 0 {
            out.push(markers::value(&format!("{run} of {n} items"), self.hash));
            *run = 0;
        }
    }

    /// Cut an object that is a map (many entries of one kind: versions to
    /// dates, names to records), not a record of named fields. Returns
    /// whether the object is such a map.
    fn cut_map(&mut self, map: &mut Map<String, Value>) -> bool {
        let n = map.len();
        if n <= self.max_rows || !is_map_like(map) {
            return false;
        }
        let Some(texts) = self.texts_if_large(map.iter().map(|(k, v)| (Some(k.as_str()), v)))
        else {
            return true;
        };
        let rows: Vec<Row> = map
            .iter()
            .map(|(k, value)| Row {
                key: Some(k),
                value,
            })
            .collect();
        let keep = select::select(&rows, &texts, self.budget, self.query);
        let kept = keep.iter().filter(|k| **k).count();
        let Some(first_gap) = keep.iter().position(|k| !k) else {
            return true;
        };
        self.omitted.items_omitted += n - kept;
        self.omitted.items_total += n;
        let mut out = Map::with_capacity(kept + 2);
        for ((key, value), keep) in std::mem::take(map).into_iter().zip(keep) {
            if keep {
                out.insert(key, value);
            }
        }
        let text = format!("{} of {n} entries omitted", n - kept);
        markers::insert_entries(&mut out, first_gap, &text, self.hash);
        *map = out;
        true
    }

    fn cut_string(&mut self, s: &mut String) {
        let limit = self.max_chars + self.max_chars / 2;
        if s.len() <= limit {
            return;
        }
        let chars = s.chars().count();
        if chars <= limit {
            return;
        }
        let mut end = s
            .char_indices()
            .nth(self.max_chars)
            .map_or(s.len(), |(i, _)| i);
        // End at a line or word break when one is close.
        if let Some(brk) = s[..end].rfind(['\n', ' ']).filter(|&b| b >= end - end / 4) {
            end = brk;
        }
        let kept = s[..end].chars().count();
        s.truncate(end);
        s.push_str(&format!("… [headroom: {} chars omitted]", chars - kept));
        self.omitted.strings_cut += 1;
        self.omitted.chars_omitted += chars - kept;
    }
}

/// Drop the null and empty fields (`null`, `""`, `[]`, `{}`) of a large
/// record, when there are enough to be worth a marker. `false` and `0` stay:
/// they say something.
fn drop_empty(map: &mut Map<String, Value>) -> usize {
    if map.len() < MIN_RECORD_FIELDS {
        return 0;
    }
    let is_empty = |v: &Value| match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    };
    let count = map.values().filter(|v| is_empty(v)).count();
    if count < MIN_EMPTY_FIELDS {
        return 0;
    }
    map.retain(|_, v| !is_empty(v));
    count
}

/// Nine in ten values are of one JSON type (nulls aside): a map from keys
/// to values, rather than a record whose fields each mean something else.
fn is_map_like(map: &Map<String, Value>) -> bool {
    let mut counts = [0usize; 5];
    for value in map.values() {
        let slot = match value {
            Value::Null => continue,
            Value::Bool(_) => 0,
            Value::Number(_) => 1,
            Value::String(_) => 2,
            Value::Array(_) => 3,
            Value::Object(_) => 4,
        };
        counts[slot] += 1;
    }
    let total: usize = counts.iter().sum();
    total > 0 && counts.iter().any(|&c| c * 10 >= total * 9)
}
