#!/usr/bin/env bash
# Fuzzes every cargo-fuzz target in fuzz/ for SECONDS each (default 60) and prints, per target, the executions, the
# crashes (panics, timeouts over 10 s, out-of-memory) and where their inputs were saved.
#
#   bash scripts/fuzz.sh 120              every target, 120 s each
#   bash scripts/fuzz.sh 60 scenario      one target
#
# Needs the nightly toolchain (libFuzzer's instrumentation); installs cargo-fuzz when it is missing. Targets are built
# with debug assertions (integer overflow panics) and without a sanitizer: the workspace forbids unsafe code, so the
# executions go to the code's own checks. A crash does not end the target's time: libFuzzer is restarted for the time
# left (at most 20 times), so one known crash cannot hide others. Inputs that crashed are in fuzz/artifacts/TARGET/;
# reproduce one with `cargo +nightly fuzz run -s none -a TARGET fuzz/artifacts/TARGET/FILE`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

secs="${1:-60}"
shift || true
if ! [[ "$secs" =~ ^[0-9]+$ ]] || ((secs < 1)); then
  echo "usage: bash scripts/fuzz.sh [SECONDS] [TARGET...]" >&2
  exit 2
fi
if ! rustup toolchain list | grep -q '^nightly'; then
  echo "fuzz.sh: the nightly toolchain is needed: rustup toolchain install nightly" >&2
  exit 1
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh: installing cargo-fuzz"
  cargo install cargo-fuzz
fi

cd fuzz
if (($# > 0)); then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
flags=(-s none --debug-assertions)
logs="$(mktemp -d)"
summary=()
total_crashes=0
for t in "${targets[@]}"; do
  echo "==> $t: building"
  cargo +nightly fuzz build "${flags[@]}" "$t"
  mkdir -p "corpus/$t" "artifacts/$t"
  before="$(find "artifacts/$t" -type f | wc -l)"
  execs=0
  crashes=0
  runs=0
  start=$SECONDS
  echo "==> $t: fuzzing for $secs s"
  while (((left = secs - (SECONDS - start)) > 0 && runs < 20)); do
    runs=$((runs + 1))
    log="$logs/$t-$runs.log"
    # libFuzzer exits non-zero on a crash; its statistics are printed either way.
    if cargo +nightly fuzz run "${flags[@]}" "$t" -- -max_total_time="$left" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 >"$log" 2>&1; then
      :
    else
      crashes=$((crashes + 1))
      grep -E "^==[0-9]+== ERROR|^thread .* panicked|panicked at|ALARM|out-of-memory|Test unit written to" "$log" \
        | head -n 4 | sed "s/^/    /" || true
    fi
    n="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1 || true)"
    execs=$((execs + ${n:-0}))
  done
  after="$(find "artifacts/$t" -type f | wc -l)"
  elapsed=$((SECONDS - start))
  total_crashes=$((total_crashes + crashes))
  summary+=("$(printf '%-12s %6d s %12d executions %4d crashes %4d new artifacts (fuzz/artifacts/%s)' \
    "$t" "$elapsed" "$execs" "$crashes" "$((after - before))" "$t")")
done
rm -rf "$logs"
echo
echo "fuzz.sh: $secs s per target"
printf '%s\n' "${summary[@]}"
((total_crashes == 0))
