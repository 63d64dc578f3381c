#!/usr/bin/env bash
# Peak memory (RSS, /usr/bin/time) of `dashscope task wait` downloading a 500 MB video from a separate dashscope-mock
# process (so the mock is not counted). Issue 8's target: under 40 MB, whatever the size. Prints numbers, never fails.
#   bench/video-memory.sh [BYTES]
source "$(dirname "$0")/video-common.sh"
bytes=${1:-500000000}
start_mock --task-seconds 0 --video-bytes "$bytes"
peak() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
base=$(peak "$bin" version)
id=$(create_video_task)
start=$(date +%s.%N)
rss=$(peak "$bin" task wait "$id" -o "$work/out/" -q)
end=$(date +%s.%N)
saved=$(stat -c %s "$work"/out/*.mp4)
awk -v b="$base" -v r="$rss" -v s="$saved" -v t0="$start" -v t1="$end" 'BEGIN {
  printf "video download memory: a %.1f MB MP4 saved (%d bytes) in %.1f s\n", s/1e6, s, t1-t0
  printf "  task wait peak RSS %.1f MB (dashscope version peaks at %.1f MB): target < 40 MB\n", r/1024, b/1024
}'
