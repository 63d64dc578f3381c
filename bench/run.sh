#!/usr/bin/env bash
# Prints start-up and end-to-end overhead numbers for dashscope release builds. Not a test: it never fails on a number.
#   bench/run.sh [RUNS]          (ends with bench/polling.sh; VIDEO=1 adds its ~5 min real video measurement)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
swift build -c release --product dashscope >/dev/null
swift build -c release --product dashscope-mock >/dev/null
swift build -c release --static-swift-stdlib --product dashscope --scratch-path .build-static >/dev/null
dynamic=.build/release/dashscope
static=.build-static/release/dashscope
mockbin=.build/release/dashscope-mock
work=$(mktemp -d)
mock_pid=
trap '[ -n "$mock_pid" ] && kill $mock_pid 2>/dev/null; rm -rf "$work"' EXIT

# Median wall time, in milliseconds, of running "$@" $runs times (python's clock: no fork of `date` in the timing).
median_ms() {
  python3 - "$runs" "$@" <<'PY'
import statistics, subprocess, sys, time
runs, command = int(sys.argv[1]), sys.argv[2:]
times = []
for _ in range(runs):
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append((time.perf_counter() - start) * 1000)
print(f"{statistics.median(times):.1f}")
PY
}

echo "dashscope $($dynamic version | cut -d' ' -f2), $(nproc) cores, $runs runs each"
# Size of the static binary as SwiftPM leaves it (with symbols) and stripped (what an install would copy after `strip`).
strip -o "$work/dashscope-stripped" "$static"
mb() { awk -v bytes="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", bytes / 1048576 }'; }
echo "static binary: $(mb "$static") MB, stripped $(mb "$work/dashscope-stripped") MB"
for build in dynamic static; do
  bin=${!build}
  echo "startup ($build, $(ldd "$bin" | wc -l) shared objects): version median $(median_ms "$bin" version) ms, help median $(median_ms "$bin" help) ms"
done

# End to end: t2i -n 4 against the in-process mock (--mock) and against dashscope-mock on loopback;
# overhead = wall time - the mock's task time (a sync wan2.6-t2i call is held min(task, 0.2) s).
overhead() { # label model task_seconds ms
  awk -v l="$1" -v m="$2" -v t="$3" -v ms="$4" \
    'BEGIN { printf "t2i -n 4 %-9s %-17s task %3ss: median %7.1f ms, overhead beyond task time %5.1f ms\n", l, m, t, ms, ms - 1000 * (m == "wan2.6-t2i" ? (t < 0.2 ? t : 0.2) : t) }'
}
export XDG_STATE_HOME=$work/state
for task_seconds in 0 1 2.5; do
  for model in wan2.2-t2i-flash wan2.6-t2i; do
    ms=$(DASHSCOPE_MOCK=1 DASHSCOPE_MOCK_TASK_SECONDS=$task_seconds median_ms "$static" t2i "a bench cat" -m "$model" -n 4 -o "$work/out/" --force -q)
    overhead --mock "$model" "$task_seconds" "$ms"
  done
done
for task_seconds in 0 1 2.5; do
  "$mockbin" --task-seconds "$task_seconds" >"$work/origin" 2>/dev/null &
  mock_pid=$!
  for _ in $(seq 50); do [ -s "$work/origin" ] && break; sleep 0.05; done
  for model in wan2.2-t2i-flash wan2.6-t2i; do
    ms=$(DASHSCOPE_BASE_URL=$(head -1 "$work/origin") DASHSCOPE_API_KEY=sk-bench-0000000000 \
      median_ms "$static" t2i "a bench cat" -m "$model" -n 4 -o "$work/out/" --force -q)
    overhead loopback "$model" "$task_seconds" "$ms"
  done
  kill "$mock_pid"; wait "$mock_pid" 2>/dev/null || true
  mock_pid=
done
echo "(the static build; --mock polls every 25 ms, a loopback server is polled at 50 ms growing to 1 s, so its overhead"
echo " includes up to 1 s of poll lateness for longer tasks)"

echo
bench/polling.sh
