#!/usr/bin/env bash
# A video download cut at 60% (the process is killed with SIGKILL), then `dashscope task wait` again: prints the bytes
# the mock served in total over the file's size. Issue 8's target: at most 1.05. Prints numbers, never fails on one.
#   bench/video-resume.sh [BYTES]
source "$(dirname "$0")/video-common.sh"
bytes=${1:-500000000}
# The answer is paced (20 pieces over 10 s) so the cut lands near 60% on any machine.
start_mock --task-seconds 0 --video-bytes "$bytes" --fault slow@file:10
id=$(create_video_task)
"$bin" task wait "$id" -o "$work/out/" -q &
pid=$!
partial="$work/out/.dashscope-$id-1.part"
while :; do
  size=$(stat -c %s "$partial" 2>/dev/null || echo 0)
  [ "$size" -ge $((bytes * 6 / 10)) ] && break
  sleep 0.01
done
kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
cut=$(stat -c %s "$partial")
"$bin" task wait "$id" -o "$work/out/" -q >/dev/null
saved=$(stat -c %s "$work"/out/*.mp4)
served=$(served_bytes)
awk -v c="$cut" -v s="$saved" -v v="$served" -v n="$bytes" 'BEGIN {
  printf "video download resume: cut at %.1f%% (%d of %d bytes kept), resumed with Range\n", 100*c/n, c, n
  printf "  saved %d bytes; the mock served %d bytes in total = %.4fx the file (target <= 1.05)\n", s, v, v/n
}'
