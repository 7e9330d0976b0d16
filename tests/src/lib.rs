//! Shared support for Headroom's corpus tests and the savings report.
//!
//! The golden fixture tests (`tests/golden.rs`), the message-level tests
//! (`tests/messages.rs`) and the `savings` binary all use these helpers, so
//! the numbers the report prints and the promises the tests enforce are
//! computed the same way.

pub mod corpus;
pub mod fidelity;
pub mod golden;
pub mod lossless;
pub mod messages;
pub mod numbered;
pub mod pieces;
pub mod retrieval;
pub mod snapshot;
pub mod splice;
pub mod traces;
