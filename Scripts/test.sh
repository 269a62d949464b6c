#!/usr/bin/env bash
# All tests, from a fresh clone: installs the system libraries if missing, then runs the Swift test
# suite in release with testing enabled (the numeric modules are unusably slow unoptimised, and the
# manifest carries no unsafe flags to optimise debug builds).
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh

swift test -c release -Xswiftc -enable-testing "$@"

# The C kernels on ARM64 under qemu (NEON, dot product, i8mm) and natively on this CPU's tiers.
Scripts/test-aarch64.sh
