#!/usr/bin/env bash
# Record the airline grid's complexity-0 L1 and L3 cells for both embedded models, one cell
# pair (both models) per pytest run, most important first; each run appends cassettes, so a
# stopped recording loses at most the case in flight. Log: $LOG_DIR/<level>-<style>.log
set -u
cd "$(dirname "$0")/.."
LOG_DIR=${LOG_DIR:-/tmp/rec}
mkdir -p "$LOG_DIR"
for cell in L1:template L3:template L1:paraphrase L1:rulearena L3:paraphrase L3:rulearena; do
  level=${cell%%:*}; style=${cell#*:}
  start=$(date +%s)
  .venv/bin/pytest evals/test_airline.py --record-mode=once -n 0 -q -p no:cacheprovider \
    --ptp-results "$LOG_DIR/results-$level-$style" -k "$level and 0-$style" \
    >"$LOG_DIR/$level-$style.log" 2>&1
  echo "$level $style rc=$? $(( $(date +%s) - start ))s" >>"$LOG_DIR/progress.log"
done
