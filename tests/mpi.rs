//! `mpirun -n R immunosim cohort` (cargo feature `mpi`): the same outputs at 1 and 2
//! ranks as one process. Needs Open MPI's mpirun (`.ci/run` installs it).

use crate::cohort::{outputs, reference};
use std::process::Command;

fn mpirun(ranks: &str, scenario: &std::path::Path, out: &std::path::Path) {
    let o = Command::new("mpirun")
        .args(["--allow-run-as-root", "--oversubscribe", "-n", ranks])
        .arg(env!("CARGO_BIN_EXE_immunosim"))
        .args([
            "cohort",
            scenario.to_str().unwrap(),
            "-q",
            "-j",
            "1",
            "--out",
        ])
        .arg(out)
        .output()
        .expect("mpirun runs (install openmpi-bin)");
    assert!(
        o.status.success(),
        "mpirun -n {ranks}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn a_cohort_on_1_and_2_mpi_ranks_equals_the_single_process_run() {
    let (scenario, reference) = reference();
    let tmp = tempfile::tempdir().unwrap();
    for ranks in ["1", "2"] {
        let out = tmp.path().join(format!("ranks{ranks}"));
        mpirun(ranks, scenario, &out);
        assert_eq!(outputs(&out), outputs(reference), "{ranks} ranks");
    }
}
