//! The message pipeline (placeholder until implemented).

use crate::ccr::CcrEntry;
use crate::options::Options;
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum MessagesError {
    #[error("request body is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("unrecognised request shape: {0}")]
    UnknownShape(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessagesResult {
    pub body: String,
    pub tokens_before: usize,
    pub tokens_after: usize,
    pub transforms: Vec<String>,
    pub ccr: Vec<CcrEntry>,
}

pub fn compress_messages(body: &str, _options: &Options) -> Result<MessagesResult, MessagesError> {
    Err(MessagesError::UnknownShape(format!("{} bytes", body.len())))
}
