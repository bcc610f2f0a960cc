//! Choices named by string in scenario files that belong to the scenario layer (presets
//! and score scales), and the serde reading of every [`Named`] enum.
//!
//! The schema takes its allowed values from [`Named::NAMES`] and the reader maps with
//! [`Named::from_name`], both from one `named_enum!` list, so the two cannot drift.

use immunosim_model::named::Named;
use serde::de::{Deserialize, Deserializer, Error};

immunosim_model::named_enum! {
    /// Built-in disease presets (files in `scenarios/presets/`).
    pub enum Preset {
        /// A healthy adult: the catalogue defaults.
        Healthy = "healthy",
        /// Systemic lupus erythematosus.
        Sle = "sle",
        /// A B-cell lymphoma-like expansion.
        LymphomaLike = "lymphoma_like",
        /// Myasthenia gravis.
        Mg = "mg",
    }
}

impl Preset {
    /// The preset's file, embedded in the binary.
    pub fn text(self) -> &'static str {
        match self {
            Preset::Healthy => include_str!("../../../scenarios/presets/healthy.toml"),
            Preset::Sle => include_str!("../../../scenarios/presets/sle.toml"),
            Preset::LymphomaLike => include_str!("../../../scenarios/presets/lymphoma_like.toml"),
            Preset::Mg => include_str!("../../../scenarios/presets/mg.toml"),
        }
    }
}

immunosim_model::named_enum! {
    /// Clinical scales an activity score can mimic (`[preset] score_scale`): the scale
    /// names the score's output columns.
    pub enum ScoreScale {
        /// The SLEDAI-2K, for lupus (the default).
        SledaiLike = "sledai_like",
        /// The MG-ADL, for myasthenia gravis.
        MgAdlLike = "mg_adl_like",
    }
}

/// A [`Named`] value read by serde from its name. Validation has already refused
/// unknown names with file:line:column and the allowed values; this message is the
/// fallback for text read without it.
pub(crate) struct Chosen<T>(pub(crate) T);

impl<'de, T: Named> Deserialize<'de> for Chosen<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        T::from_name(&name).map(Chosen).ok_or_else(|| {
            D::Error::custom(format!(
                "\"{name}\" is not known (allowed: one of {})",
                T::NAMES.join(", ")
            ))
        })
    }
}

immunosim_model::named_enum! {
    /// Where the run that wrote a `run.toml` was when it wrote it (`[run] status`).
    pub enum RunStatus {
        /// Started, not yet finished (also what a killed run leaves).
        Running = "running",
        /// Every day was simulated and every output written.
        Finished = "finished",
        /// Stopped early by a signal (SIGINT or SIGTERM).
        Interrupted = "interrupted",
    }
}
