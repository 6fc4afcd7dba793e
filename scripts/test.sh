#!/usr/bin/env bash
# Quick start, command 2: set up, build, and run the whole test suite (ctest).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$repo/scripts/setup.sh"
"$repo/scripts/build.sh"
cd "${HACT_BUILD_DIR:-$repo/build}"
"${HACT_VENV:-$repo/.venv}/bin/ctest" --output-on-failure -j2 "$@"
