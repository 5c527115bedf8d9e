#!/usr/bin/env bash
# Record the shipped grids against the embedded models, one cell group per pytest run, most
# important first. Only cases without a cassette are recorded, so the script can be stopped
# and re-run. Progress: $LOG_DIR/progress.log; each run's output: $LOG_DIR/<name>.log.
set -u
cd "$(dirname "$0")/.."
LOG_DIR=${LOG_DIR:-/tmp/rec}
mkdir -p "$LOG_DIR"

record() {  # record NAME TEST_FILE K_EXPRESSION
  local start rc
  start=$(date +%s)
  .venv/bin/pytest "$2" --record-mode=once -n 0 -q -p no:cacheprovider \
    --ptp-results "$LOG_DIR/results-$1" -k "$3" >"$LOG_DIR/$1.log" 2>&1
  rc=$?
  echo "$1 rc=$rc $(( $(date +%s) - start ))s" >>"$LOG_DIR/progress.log"
}

record L1-template evals/test_airline.py "L1 and 0-template"
record L3-template evals/test_airline.py "L3 and 0-template"
record knapsack-gemma evals/test_knapsack.py "gemma"
record L1-paraphrase evals/test_airline.py "L1 and 0-paraphrase"
record L1-rulearena evals/test_airline.py "L1 and 0-rulearena"
record knapsack-cross evals/test_knapsack.py "cross"  # the cross grid's ids name no model
record L3-paraphrase evals/test_airline.py "L3 and 0-paraphrase"
record L3-rulearena evals/test_airline.py "L3 and 0-rulearena"
record L3-c1 evals/test_airline.py "L3 and (1-template or 1-paraphrase)"
record L3-c2 evals/test_airline.py "L3 and (2-template or 2-paraphrase)"
record knapsack-smollm2 evals/test_knapsack.py "smollm2"
record L1-c1 evals/test_airline.py "L1 and (1-template or 1-paraphrase)"
record L1-c2 evals/test_airline.py "L1 and (2-template or 2-paraphrase)"
record CoT-c0 evals/test_airline.py "CoT and 0-"
