//! `log` transform (placeholder until implemented).

use super::{Ctx, Outcome};
use crate::lines::Lines;

pub fn compress(_lines: &Lines, _ctx: &Ctx) -> Outcome {
    Outcome::Unchanged
}
