#!/usr/bin/env bash
# Regenerates the committed completions and man page from the command table. The snapshot tests fail until this is run after a table change.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product dashscope >/dev/null
bin=$(swift build --show-bin-path)/dashscope
"$bin" completions bash > completions/dashscope.bash
"$bin" completions zsh > completions/_dashscope
"$bin" completions fish > completions/dashscope.fish
"$bin" man > man/dashscope.1
echo "regenerated completions/ and man/"
