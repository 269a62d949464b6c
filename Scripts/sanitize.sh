#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer and ThreadSanitizer, each in its own scratch directory.
#
#   Scripts/sanitize.sh                      both, whole suite
#   Scripts/sanitize.sh thread --filter X    one sanitizer, extra `swift test` arguments
#
# TSan: OpenBLAS's worker threads hand work to each other through spin-waits on plain memory
# (its own barrier code, not pthread primitives), which TSan cannot see, so it reports races between
# OpenBLAS's own threads inside sgemm. Scripts/tsan.supp suppresses reports with an OpenBLAS frame
# and nothing else; races in our code, Foundation or Dispatch are still reported.
# Not part of CI (.ci/run): the instrumented builds and the TSan run take many minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
sanitizers=()
while [ $# -gt 0 ] && { [ "$1" = address ] || [ "$1" = thread ]; }; do sanitizers+=("$1"); shift; done
[ ${#sanitizers[@]} -eq 0 ] && sanitizers=(address thread)
status=0
for s in "${sanitizers[@]}"; do
    echo "== swift test --sanitize=$s $*"
    export TSAN_OPTIONS="suppressions=$PWD/Scripts/tsan.supp halt_on_error=1 second_deadlock_stack=1"
    export ASAN_OPTIONS="detect_leaks=0 halt_on_error=1"
    if swift test --scratch-path ".build-$s" --sanitize="$s" "$@"; then
        echo "== $s: passed"
    else
        echo "== $s: FAILED"; status=1
    fi
done
exit $status
