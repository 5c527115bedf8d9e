#!/usr/bin/env bash
# Record the shipped grids against the embedded models, one cell group per pytest run, most
# important first. Only cases without a cassette are recorded, so the script can be stopped
# and re-run. Progress: $LOG_DIR/progress.log; each run's output: $LOG_DIR/<name>.log.
set -u
cd "$(dirname "$0")/.."
LOG_DIR=${LOG_DIR:-/tmp/rec}
mkdir -p "$LOG_DIR"

record() {  # record NAME TEST_FILE K_EXPRESSION [VAR=VALUE ...]
  local name=$1 file=$2 expr=$3 start rc
  shift 3
  start=$(date +%s)
  env PTP_TIMEOUT_S=600 "$@" .venv/bin/pytest "$file" --record-mode=once -n 0 -q \
    -p no:cacheprovider --ptp-results "$LOG_DIR/results-$name" -k "$expr" \
    >"$LOG_DIR/$name.log" 2>&1
  rc=$?
  echo "$name rc=$rc $(( $(date +%s) - start ))s" >>"$LOG_DIR/progress.log"
}

cells() {  # cells LEVEL COMPLEXITY: PTP_AIRLINE_CELLS for its template and paraphrase cells
  echo "PTP_AIRLINE_CELLS=$1:$2:template,$1:$2:paraphrase"
}

# Complexity 0 (recorded 2026-11-26; RECORDED in evals/test_airline.py lists it)
record L1-template evals/test_airline.py "L1 and 0-template"
record L3-template evals/test_airline.py "L3 and 0-template"
record knapsack-gemma evals/test_knapsack.py "gemma"
record L1-paraphrase evals/test_airline.py "L1 and 0-paraphrase"
record L1-rulearena evals/test_airline.py "L1 and 0-rulearena"
record knapsack-cross evals/test_knapsack.py "cross"  # the cross grid's ids name no model
record L3-paraphrase evals/test_airline.py "L3 and 0-paraphrase"
record L3-rulearena evals/test_airline.py "L3 and 0-rulearena"
# Later cells: RECORDED lists a cell once it is whole; until then the variables collect it
record L3-c1 evals/test_airline.py "L3 and (1-template or 1-paraphrase)" "$(cells L3 1)"
record L3-c2 evals/test_airline.py "L3 and (2-template or 2-paraphrase)" "$(cells L3 2)"
record knapsack-smollm2 evals/test_knapsack.py "smollm2 and not cross"
record L1-c1 evals/test_airline.py "L1 and (1-template or 1-paraphrase)" "$(cells L1 1)"
record L1-c2 evals/test_airline.py "L1 and (2-template or 2-paraphrase)" "$(cells L1 2)"
# CoT cells, the small ones first (Gemma ~50 s a case on a free box: its replies run to
# the 1,536-token budget; SmolLM2's replies average 188 tokens, 12-20 s a case)
for complexity in 1 2 0; do
  for level in CoT0 CoT1; do
    styles="template paraphrase"; [ "$complexity" = 0 ] && styles="$styles rulearena"
    for style in $styles; do
      record "$level-$complexity-$style" evals/test_airline.py "$level and $complexity-$style" \
        "PTP_AIRLINE_CELLS=$level:$complexity:$style"
    done
  done
done
# The distilled workflow's cells (after a change to its ptools' prompts: delete
# cassettes/test_distilled first, then update the outcome snapshots in replay with
# `pytest evals/test_distilled.py --snapshot-update`)
for style in template paraphrase; do
  for model in gemma smollm2; do
    record "distilled-$style-$model" evals/test_distilled.py \
      "test_distilled and distilled-0-$style and $model"
  done
done
