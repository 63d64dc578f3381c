# Shared by the video benchmarks: builds the release binaries, starts dashscope-mock with "$@", creates video tasks.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product dashscope >/dev/null
swift build -c release --product dashscope-mock >/dev/null
bin=.build/release/dashscope
mockbin=.build/release/dashscope-mock
work=$(mktemp -d)
mock_pid=
trap '[ -n "$mock_pid" ] && kill $mock_pid 2>/dev/null; rm -rf "$work"' EXIT
export XDG_STATE_HOME=$work/state DASHSCOPE_API_KEY=sk-bench-0000000000

# Starts dashscope-mock with the given options and exports DASHSCOPE_BASE_URL.
start_mock() {
  "$mockbin" "$@" >"$work/origin" 2>/dev/null &
  mock_pid=$!
  for _ in $(seq 100); do [ -s "$work/origin" ] && break; sleep 0.05; done
  export DASHSCOPE_BASE_URL=$(head -1 "$work/origin")
}

# Creates a wan2.6-t2v task on the mock (as `dashscope t2v` would) and prints its id.
create_video_task() {
  python3 - "$DASHSCOPE_BASE_URL" <<'PY'
import json, sys, urllib.request
body = {"model": "wan2.6-t2v", "input": {"prompt": "a bench cat"}, "parameters": {"size": "1920*1080", "duration": 5}}
request = urllib.request.Request(sys.argv[1] + "/api/v1/services/aigc/video-generation/video-synthesis",
    data=json.dumps(body).encode(), method="POST",
    headers={"Authorization": "Bearer sk-bench-0000000000", "X-DashScope-Async": "enable", "Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(request))["output"]["task_id"])
PY
}

# Prints the body bytes the mock has sent for /files downloads.
served_bytes() {
  python3 -c 'import json, sys, urllib.request; print(json.load(urllib.request.urlopen(sys.argv[1] + "/mock/stats"))["file_bytes"])' "$DASHSCOPE_BASE_URL"
}
