//! Headroom's compression engine, as a pure library.
//!
//! Everything here is a function of its inputs: no I/O, no clock, no randomness,
//! no threads. That is what lets the same code run natively, inside the one
//! wasm module, and give byte-identical results in every runtime.
//!
//! Two entry points:
//! - [`compress_text`]: one tool output (its kind is detected or declared);
//! - [`compress_messages`]: a whole request body (Anthropic, OpenAI Chat,
//!   OpenAI Responses, Vercel AI SDK prompt), edited by splicing so that only
//!   the bytes of compressed tool outputs change.

pub mod ccr;
pub mod find;
pub mod hash;
pub mod lines;
pub mod marker;
pub mod messages;
pub mod options;
pub mod pipeline;
pub mod plan;
pub mod query;
pub mod router;
pub mod signals;
pub mod tokens;
pub mod transforms;

pub use ccr::CcrEntry;
pub use messages::{compress_messages, MessagesError, MessagesResult};
pub use options::{Options, Profile, Shape};
pub use pipeline::{compress_text, TextResult, ToolContext};
pub use router::Kind;
