#!/usr/bin/env bash
# Prints start-up and end-to-end overhead numbers for dashscope (release build). Not a test: it never fails on a number.
#   bench/run.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
swift build -c release --product dashscope >/dev/null
swift build -c release --product dashscope-mock >/dev/null
bin=.build/release/dashscope
mockbin=.build/release/dashscope-mock
work=$(mktemp -d)
trap 'kill $mock_pid 2>/dev/null || true; rm -rf "$work"' EXIT

# Median wall time, in milliseconds, of running "$@" $runs times.
median_ms() {
  local times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1000}'
}

echo "dashscope $($bin version | cut -d' ' -f2), $(nproc) cores, $runs runs each"
echo "startup: version  median $(median_ms $bin version) ms"
echo "startup: help     median $(median_ms $bin help) ms"

# End to end: t2i -n 4 against dashscope-mock; overhead = wall time - the mock's task time.
for task_seconds in 0 1; do
  "$mockbin" --task-seconds "$task_seconds" >"$work/origin" 2>/dev/null &
  mock_pid=$!
  for _ in $(seq 50); do [ -s "$work/origin" ] && break; sleep 0.05; done
  origin=$(head -1 "$work/origin")
  export DASHSCOPE_BASE_URL=$origin DASHSCOPE_API_KEY=sk-bench-0000000000 XDG_STATE_HOME=$work/state
  for model in wan2.2-t2i-flash wan2.6-t2i; do
    ms=$(median_ms $bin t2i "a bench cat" -m "$model" -n 4 -o "$work/out/" --force -q)
    awk -v ms="$ms" -v t="$task_seconds" -v m="$model" \
      'BEGIN { printf "t2i -n 4 %-17s task %ss: median %.1f ms, overhead beyond task time %.1f ms\n", m, t, ms, ms - t * 1000 * (m == "wan2.6-t2i" ? 0 : 1) }'
  done
  kill "$mock_pid"; wait "$mock_pid" 2>/dev/null || true
done
echo "(wan2.6-t2i is a sync call: the mock answers it in min(task, 0.2) s, counted in the overhead above)"
