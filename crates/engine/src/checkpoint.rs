//! Checkpoints (placeholder, filled in below).
