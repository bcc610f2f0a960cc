#!/bin/bash
# A cohort as a Slurm job array: each array task runs one shard of the patients
# (`--shard I/N`) on one node, and a job that depends on the whole array merges them.
#   sbatch docs/cohort_job_array.sh
# A requeued or re-submitted task continues its shard (`--resume`): finished patients
# are kept. The merged outputs equal one unsharded run's, whatever N (docs/cohorts.md).
# Each task runs one patient per CPU, or as many as fit in the job's memory
# (`--max-memory`, from --mem; without it the room under the job's memory cgroup).
#SBATCH --job-name=immunosim-cohort
#SBATCH --array=0-9
#SBATCH --cpus-per-task=16
#SBATCH --mem=32G
#SBATCH --time=24:00:00
#SBATCH --requeue
set -euo pipefail

SCENARIO=${SCENARIO:-scenarios/cohort_sle_arms.toml}
PATIENTS=${PATIENTS:-100}
OUT=${OUT:-out/cohort}
I=${SLURM_ARRAY_TASK_ID}
N=${SLURM_ARRAY_TASK_COUNT}

RESUME=()
if [ -f "$OUT/shard$I/cohort.toml" ]; then
    RESUME=(--resume)
fi
immunosim cohort "$SCENARIO" --patients "$PATIENTS" --shard "$I/$N" \
    -j "$SLURM_CPUS_PER_TASK" --max-memory "${SLURM_MEM_PER_NODE:-32768}M" \
    -q --out "$OUT/shard$I" "${RESUME[@]}"

# The last task to finish submits nothing; merge once every task is done:
#   sbatch --dependency=afterok:$SLURM_ARRAY_JOB_ID --wrap \
#       "immunosim merge $OUT/shard* --out $OUT/merged"
