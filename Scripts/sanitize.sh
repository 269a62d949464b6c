#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer and ThreadSanitizer, each in its own scratch directory.
#
#   Scripts/sanitize.sh                      both, whole suite
#   Scripts/sanitize.sh thread --filter X    one sanitizer, extra `swift test` arguments
#
# No TSan suppressions: OpenBLAS is uninstrumented, so TSan does not track the accesses of its worker
# threads, and it reported nothing for it (or anything else) on this suite, concurrency tests included.
# If a future OpenBLAS build reports races inside its own thread pool (spin-wait synchronisation TSan
# cannot see), suppress them narrowly with a file holding `race:libopenblas` passed through
# TSAN_OPTIONS=suppressions=<file>, never more.
# ASan runs with detect_leaks=0: LeakSanitizer is not part of this check (Swift runtime and Foundation
# caches are reported as leaks at exit).
# Not part of CI (.ci/run): the instrumented builds and the TSan run take many minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
sanitizers=()
while [ $# -gt 0 ] && { [ "$1" = address ] || [ "$1" = thread ]; }; do sanitizers+=("$1"); shift; done
[ ${#sanitizers[@]} -eq 0 ] && sanitizers=(address thread)
status=0
for s in "${sanitizers[@]}"; do
    echo "== swift test --sanitize=$s $*"
    export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1 second_deadlock_stack=1}"
    export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0 halt_on_error=1}"
    if swift test --scratch-path ".build-$s" --sanitize="$s" "$@"; then
        echo "== $s: passed"
    else
        echo "== $s: FAILED"; status=1
    fi
done
exit $status
