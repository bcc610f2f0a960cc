//! The fixed unit of parallel work over the cell table.

/// Rows per parallel work item. Fixed, so results never depend on the thread count;
/// 16,384 rows × 32 bytes = 512 KiB, a few per core's L2 share.
pub const CHUNK_ROWS: usize = 16_384;
