//! Binding layer (placeholder).
