//! Cutting a file into tool-output-sized pieces. Agents rarely see a 300 KB
//! log in one tool result: clients truncate, page, or read files in chunks.
//! Savings must hold on such pieces too, not only on whole files.

/// Size of one piece: about what Claude Code sends inline in one tool result.
pub const PIECE_BYTES: usize = 30_000;

/// Split `text` into consecutive pieces of at most `max_bytes`, cut only at
/// line boundaries (the engine's own cutter, shared with its tests).
pub use headroom_core::lines::cut_at_lines as cut;
