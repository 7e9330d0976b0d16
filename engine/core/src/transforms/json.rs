//! `json` transform (placeholder until implemented).

use super::{Ctx, Outcome};

pub fn compress(_text: &str, _ctx: &Ctx) -> Outcome {
    Outcome::Unchanged
}
