#!/usr/bin/env bash
# Quick start, command 1: set up, build, and run the demo (ISA variant + a table of values).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$repo/scripts/setup.sh"
"$repo/scripts/build.sh"
"${HACT_BUILD_DIR:-$repo/build}/examples/hact_demo"
