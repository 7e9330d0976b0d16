//! Fault injection for tests (hidden flag `--inject-engine-fault`): an
//! engine whose every call fails the way the named real fault does, so a
//! test can prove such a fault never breaks a request.

use crate::engine::{Engine, EngineError, Op};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InjectedFault {
    Trap,
    Timeout,
    Memory,
}

pub struct FaultyEngine(pub InjectedFault);

impl Engine for FaultyEngine {
    fn runtime(&self) -> &'static str {
        "faulty"
    }

    fn call_json(&self, _op: Op, _request: &[u8]) -> Result<Vec<u8>, EngineError> {
        Err(match self.0 {
            InjectedFault::Trap => EngineError::Trap("injected trap: wasm `unreachable`".into()),
            InjectedFault::Timeout => EngineError::Timeout(Duration::from_millis(1)),
            InjectedFault::Memory => EngineError::OutOfMemory {
                limit_bytes: 1 << 20,
            },
        })
    }
}
