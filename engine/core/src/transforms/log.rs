//! `log` transform: build, test and runtime logs.
//!
//! Keeps what a reader of a long log looks for: every distinct error (with
//! its context and stack trace), warnings once per template, summaries, the
//! first and last lines, lines the user asked about, and one example of each
//! frequent pattern with its count. Lines that differ only in numbers, ids or
//! timestamps collapse into one with ` [×N]`; the rest becomes gap lines.
//! Kept lines are written from the original, so line numbers survive.

mod analyze;
mod keys;
mod select;

pub(crate) use analyze::{keys as line_keys, roles as line_roles, Role};
pub(crate) use select::{plan, Style};

use super::{Ctx, Outcome};
use crate::lines::Lines;

pub fn compress(lines: &Lines, ctx: &Ctx) -> Outcome {
    if ctx.lossless_only {
        return super::mask::lossless(lines);
    }
    let roles = line_roles(lines, ctx.query);
    let keys = line_keys(lines, &roles.roles);
    plan(lines, &ctx.params, &roles, &keys, Style::default())
}
