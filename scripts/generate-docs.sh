#!/usr/bin/env bash
# Regenerates the committed completions and man pages from the command table, the catalogue and the mock's flag table.
# The snapshot tests (GeneratedDocsTests) fail until this is run after one of them changes.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product dashscope >/dev/null
bin=$(swift build --show-bin-path)/dashscope
"$bin" completions bash > completions/dashscope.bash
"$bin" completions zsh > completions/_dashscope
"$bin" completions fish > completions/dashscope.fish
"$bin" man > man/dashscope.1
"$bin" man dashscope-mock > man/dashscope-mock.1
echo "regenerated completions/ and man/"
