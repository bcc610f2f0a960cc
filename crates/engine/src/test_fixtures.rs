//! What the engine's run tests share.

use immunosim_model::antigen_panel::{AntigenPanel, AntigenSpec, Density};

/// A CD19-like antigen on every B-cell stage (20,000 ± 5,000 molecules), absent from
/// T cells and lost by mature plasma cells: the one target of the tests' products.
pub(crate) fn cd19_panel() -> AntigenPanel {
    let b = Density {
        mean: 20_000.0,
        sd: 5_000.0,
    };
    let none = Density::default();
    AntigenPanel {
        slots: vec![AntigenSpec {
            name: "CD19".into(),
            densities: [b, b, b, b, none, none],
            lost_by_mature_plasma_cells: true,
            source: "test".into(),
        }],
    }
}
