//! How a command fails (bad input: exit 2; a failed run: exit 1), and the setup every
//! command shares (the worker threads).

use anyhow::Context;

/// Why a command stopped before or during its run.
#[derive(Debug)]
pub enum Failure {
    /// Bad input: exit 2.
    BadInput(String),
    /// The run failed: exit 1.
    Run(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Failure {
        Failure::Run(e)
    }
}

/// A bad-input failure (exit 2) with this message.
pub fn bad(message: impl std::fmt::Display) -> Failure {
    Failure::BadInput(message.to_string())
}

/// Sets the worker threads of the global rayon pool (`--threads`; default: all cores).
pub fn use_threads(threads: Option<u16>) -> Result<(), Failure> {
    if let Some(threads) = threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(threads))
            .build_global()
            .with_context(|| format!("cannot start {threads} threads"))?;
    }
    Ok(())
}
