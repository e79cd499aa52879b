#!/usr/bin/env bash
# run_fuzzer.sh BINARY TARGET SECONDS WORKDIR: runs one libFuzzer target for SECONDS from its
# seeds (generated once into WORKDIR/seeds/TARGET) and the corpus it grew before
# (WORKDIR/corpus/TARGET). A crash is kept in fuzz/crashes/ and fails the run.
set -euo pipefail
bin="$1"
target="$2"
seconds="$3"
work="$4"
here="$(cd "$(dirname "$0")" && pwd)"
seeds="$work/seeds/$target"
corpus="$work/corpus/$target"
crashes="$here/crashes"
if [ ! -f "$seeds/.done" ]; then
  rm -rf "$seeds"
  "$here/make_seeds.sh" "$target" "$seeds"
  touch "$seeds/.done"
fi
mkdir -p "$corpus" "$crashes"
log="$work/$target.log"
# -timeout: one input taking this long is a hang, reported like a crash. The RSS cap is also
# what a single allocation may ask for: an input that makes the code size a buffer from a
# lying header shows up as a malloc-limit crash.
status=0
"$bin" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$crashes/$target-" "$corpus" "$seeds" >"$log" 2>&1 || status=$?
stats=$(grep -E '^stat::(number_of_executed_units|new_units_added|peak_rss_mb)' "$log" |
  sed 's/^stat:://' | tr '\n' ' ' || true)
cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 || true)
if [ "$status" -ne 0 ]; then
  echo "fuzz $target: FAILED after up to ${seconds}s ($stats$cov); log $log" >&2
  grep -E 'ERROR|fuzz property|Test unit written|SUMMARY' "$log" | head -20 >&2 || true
  echo "reproduce: $bin <file written above>" >&2
  exit 1
fi
echo "fuzz $target: ok, ${seconds}s, ${stats}${cov}"
