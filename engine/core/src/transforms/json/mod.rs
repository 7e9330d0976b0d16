//! `json` transform ("SmartCrusher"): JSON in, smaller valid JSON out.
//!
//! Two stages, in this order, because losing nothing comes first:
//!
//! 1. **Lossless** (always): the document is minified and every array of
//!    objects (or object of objects) sharing one schema becomes a table
//!    ([`table`]). With `lossless_only` this is the whole result, and it is a
//!    fixpoint: compressing it again gives it back unchanged.
//! 2. **Lossy** (only when the host stores originals): before tabling, large
//!    arrays and map-like objects keep a selection of rows ([`select`]), long
//!    strings are cut and large records lose their null/empty fields
//!    ([`prune`]), hypermedia link fields derivable from another link of the
//!    object are dropped ([`links`]); after tabling, objects repeated
//!    verbatim are reduced to their identity ([`repeats`]). Every omission
//!    leaves a marker in place, so the output explains itself.
//!
//! # Output forms (documented for `docs/markers.md`)
//!
//! - Array table: `{"_headroom_table":["col",...],"const":{"col":v},"rows":[[v,...],...]}`.
//!   Each array row is one original object, its values in column order; a
//!   row that is an object is an original element kept as is (its keys differ
//!   from the columns, or it is a marker). `const` (present only when some
//!   column has the same value in every array row) holds those columns.
//! - Map table: `{"_headroom_map":["col",...],"const":{...},"rows":[["key",v,...],...]}`
//!   stands for an object whose values are objects: each array row is
//!   `[entry key, values in column order...]`; a row that is an object holds
//!   original entries kept as they are (a run of entries of another shape).
//! - Omitted items (lossy): the JSON marker value
//!   `{"_headroom":"485 of 500 items omitted","retrieve":"<hash>"}` at the
//!   position of each omitted run in an array; in an object, the entries
//!   `"_headroom":"2951 of 2963 entries omitted","retrieve":"<hash>"` at the
//!   position of the first omitted entry (if the object already has a
//!   `retrieve` key, the whole marker value is the value of `_headroom`).
//! - Dropped fields: `"_headroom":"36 link fields, 5 empty fields omitted","retrieve":"<hash>"`
//!   entries at the end of the object (empty = `null`, `""`, `[]`, `{}`).
//! - Repeated object: `{"login":"x","id":1,"_headroom":"7 fields omitted (same as above)","retrieve":"<hash>"}`.
//! - Long string: its head, then `… [headroom: 18234 chars omitted]`.
//!
//! Numbers are kept exactly as written (`arbitrary_precision`) and key order
//! is preserved (`preserve_order`), so nothing depends on hash-map order.

mod features;
pub mod fragment;
mod links;
mod markers;
mod prune;
mod repeats;
mod rows;
mod select;
mod table;
mod terms;
#[cfg(test)]
mod tests;

use super::{Ctx, Outcome};
use serde_json::Value;

/// What the lossy stage dropped, summed over the document.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Omissions {
    /// Rows/entries omitted from cut arrays and maps, and their total count.
    pub items_omitted: usize,
    pub items_total: usize,
    pub link_fields: usize,
    pub empty_fields: usize,
    pub repeated_objects: usize,
    pub strings_cut: usize,
    pub chars_omitted: usize,
}

impl Omissions {
    /// `Some("485 of 500 items, 36 link fields, ...")`, or `None` when
    /// nothing was dropped.
    pub fn summary(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.items_omitted > 0 {
            parts.push(format!(
                "{} of {} items",
                self.items_omitted, self.items_total
            ));
        }
        if self.link_fields > 0 {
            parts.push(counted(self.link_fields, "link field"));
        }
        if self.empty_fields > 0 {
            parts.push(counted(self.empty_fields, "empty field"));
        }
        if self.repeated_objects > 0 {
            parts.push(counted(self.repeated_objects, "repeated object"));
        }
        if self.strings_cut > 0 {
            parts.push(format!(
                "{} chars of {} long strings",
                self.chars_omitted, self.strings_cut
            ));
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

/// `"1 link field"`, `"3 link fields"`: counts in markers read as English.
pub(crate) fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Compress a JSON tool output: a whole document ([`compress`]), or line by
/// line ([`fragment`]) a piece of pretty-printed JSON that does not parse on
/// its own, or a file read with line numbers (the Read tool): the agent may
/// edit that file, so kept lines must stay byte for byte under their
/// numbers rather than be minified into one new line.
pub fn compress_lines(lines: &crate::lines::Lines, ctx: &Ctx) -> Outcome {
    let text = lines.content_text();
    let by_line =
        lines.is_numbered() || serde_json::from_str::<serde::de::IgnoredAny>(text.trim()).is_err();
    if by_line && fragment::is_fragment(&lines.content) {
        return fragment::compress(lines, ctx);
    }
    compress(&text, ctx)
}

/// Compress one JSON document. Text that does not parse is left alone.
pub fn compress(text: &str, ctx: &Ctx) -> Outcome {
    let Ok(mut value) = serde_json::from_str::<Value>(text.trim()) else {
        return Outcome::Unchanged;
    };
    let mut omitted = Omissions::default();
    if !ctx.lossless_only {
        prune::prune(&mut value, text, ctx, &mut omitted);
    }
    let mut value = table::tabulate(value);
    if !ctx.lossless_only {
        repeats::stub_repeats(&mut value, ctx.hash, &mut omitted);
    }
    let out = value.to_string();
    if out == text {
        return Outcome::Unchanged;
    }
    Outcome::Text {
        text: out,
        omitted: omitted.summary(),
    }
}
