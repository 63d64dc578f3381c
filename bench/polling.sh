#!/usr/bin/env bash
# Measures how soon dashscope notices a finished task against dashscope-mock on this machine's non-loopback
# address (next to the official Python SDK when SDK_PYTHON, or python3, has `pip install dashscope`; next to an older
# build when BEFORE_BIN is set). Prints numbers, never fails on one; about 30 s per round (ROUNDS, default 3).
# VIDEO=1 adds real video tasks of 51-289 s (t2v and the SDK's VideoSynthesis), about 5 min per round (VIDEO_ROUNDS, default 1).
#   bench/polling.sh            SDK_PYTHON=/path/venv/bin/python BEFORE_BIN=/path/old/dashscope ROUNDS=3 bench/polling.sh
#   SDK_PYTHON=/path/venv/bin/python VIDEO=1 VIDEO_ROUNDS=1 ROUNDS=1 bench/polling.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product dashscope >/dev/null
swift build -c release --product dashscope-mock >/dev/null
sdk=${SDK_PYTHON:-python3}
extra=()
if "$sdk" -c 'import dashscope' 2>/dev/null; then
  extra+=(--sdk-python "$sdk")
else
  echo "no python with the dashscope SDK (python3 -m venv v && v/bin/pip install dashscope, then SDK_PYTHON=v/bin/python): the SDK is simulated only"
fi
if [ -n "${BEFORE_BIN:-}" ]; then extra+=(--before "$BEFORE_BIN"); fi
if [ "${VIDEO:-0}" != 0 ]; then extra+=(--video --video-rounds "${VIDEO_ROUNDS:-1}"); fi
python3 bench/polling.py --dashscope .build/release/dashscope --mock .build/release/dashscope-mock \
  --rounds "${ROUNDS:-3}" "${extra[@]}" || echo "the polling benchmark stopped early (exit $?)"
