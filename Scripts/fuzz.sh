#!/usr/bin/env bash
# Builds the libFuzzer targets (swiftc -sanitize=fuzzer,address) and runs each for N executions.
#
#   Scripts/fuzz.sh [runs] [target ...]      default: 1000000 runs, every target
#   targets: safetensors modelfile config tokenizer-json tokenizer-encode
#   FUZZ_JOBS=2 runs that many targets at once (default 1); FUZZ_TIMEOUT per-input seconds (default 10);
#   FUZZ_MAX_TIME=S stops each target after S seconds even if it has not reached N runs (counts still printed)
#
# Each target is the module's own sources compiled together with a small entry file in Fuzz/ (so it
# can reach internal entry points), with coverage instrumentation and AddressSanitizer. MBJSON, which
# MBFormat and MBTokenizer import, is built first as a module of its own with the same flags. Corpora
# start from real files (Fuzz/seeds, test fixtures, the real tokenizer.json and configs) and grow in
# .build-fuzz/corpus/<target>; crashing inputs land in .build-fuzz/artifacts/. The last lines print
# each target's executions (libFuzzer's stat::number_of_executed_units) and whether it crashed.
# Not part of CI (.ci/run): a full run takes tens of minutes on 2 cores.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-1000000}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(safetensors modelfile config tokenizer-json tokenizer-encode)
jobs=${FUZZ_JOBS:-1}
timeout=${FUZZ_TIMEOUT:-10}
out=.build-fuzz
mkdir -p "$out/mods" "$out/corpus" "$out/seeds" "$out/artifacts" "$out/logs"

flags=(-sanitize=fuzzer,address -parse-as-library -O -g -swift-version 5 -I Sources/CZstd -I Sources/CXXHash)
json_sources=$(find Sources/MBJSON -name '*.swift' | sort)
format_sources=$(find Sources/MBFormat -name '*.swift' | sort)
tokenizer_sources=$(find Sources/MBTokenizer -name '*.swift' | sort)
# The config target needs only the config reader and its error type, not the rest of MBConverter
# (which imports MBTokenizer and MBRuntime).
converter_sources="Sources/MBConverter/HFConfigReader.swift Sources/MBConverter/ConversionError.swift"

build_json() {
    echo "building $out/mods/libMBJSON.a"
    swiftc "${flags[@]}" -module-name MBJSON -emit-module -emit-module-path "$out/mods/MBJSON.swiftmodule" \
        -emit-library -static $json_sources -o "$out/mods/libMBJSON.a"
}

build() {
    local target=$1 bin="$out/fuzz-$1" json=(-I "$out/mods" "$out/mods/libMBJSON.a")
    echo "building $bin"
    case $target in
    safetensors) swiftc "${flags[@]}" -module-name MBFormat $format_sources Fuzz/SafeTensorsFuzz.swift "${json[@]}" -lzstd -lxxhash -o "$bin" ;;
    modelfile) swiftc "${flags[@]}" -module-name MBFormat $format_sources Fuzz/ModelFileFuzz.swift "${json[@]}" -lzstd -lxxhash -o "$bin" ;;
    config)
        swiftc "${flags[@]}" -module-name MBFormat -I "$out/mods" -emit-module -emit-module-path "$out/mods/MBFormat.swiftmodule" \
            -emit-library -static $format_sources -o "$out/mods/libMBFormat.a" &&
        swiftc "${flags[@]}" -module-name MBConverter $converter_sources Fuzz/ConfigFuzz.swift \
            "$out/mods/libMBFormat.a" "${json[@]}" -lzstd -lxxhash -o "$bin" ;;
    tokenizer-json) swiftc "${flags[@]}" -module-name MBTokenizer $tokenizer_sources Fuzz/TokenizerJSONFuzz.swift "${json[@]}" -o "$bin" ;;
    tokenizer-encode) swiftc "${flags[@]}" -module-name MBTokenizer $tokenizer_sources Fuzz/TokenizerEncodeFuzz.swift "${json[@]}" -o "$bin" ;;
    *) echo "unknown target $target"; return 1 ;;
    esac 2> >(grep -v "ld.gold: warning: Cannot export local symbol" >&2)
}

seed() {
    local target=$1 dir="$out/seeds/$1"
    rm -rf "$dir"; mkdir -p "$dir"
    case $target in
    safetensors) cp Fuzz/seeds/tiny-hf/model.safetensors "$dir/tiny.safetensors"
        cp Tests/MBRuntimeTests/Fixtures/seqcls-cls-regression/golden.safetensors "$dir/seqcls-golden.safetensors"
        cp Tests/MBRuntimeTests/Fixtures/base-sharded/golden.safetensors "$dir/sharded-golden.safetensors" ;;
    modelfile) cp Fuzz/seeds/tiny.mbc Fuzz/seeds/tiny-tok.mbc "$dir/" ;;
    config) i=0; for f in $(find Tests Models Fuzz/seeds -name 'config.json' -o -path '*/configs/*.json' | sort); do
            cp "$f" "$dir/config-$i.json"; i=$((i + 1)); done ;;
    tokenizer-json) cp Fuzz/seeds/tokenizer-small.json "$dir/" ;;
    tokenizer-encode) head -n 300 Tests/MBTokenizerTests/Fixtures/golden.jsonl | sed -E 's/^\{"text":"(.*)","ids".*$/\1/' |
            split -l 1 - "$dir/text-" ;;
    esac
}

max_len() {
    case $1 in safetensors) echo 65536 ;; modelfile) echo 16384 ;; config) echo 8192 ;; tokenizer-json) echo 8192 ;; *) echo 2048 ;; esac
}

run() {
    local target=$1 log="$out/logs/$1.log"
    mkdir -p "$out/corpus/$target"
    FUZZ_TOKENIZER=Tests/MBTokenizerTests/Fixtures/tokenizer.json \
    "$out/fuzz-$target" "$out/corpus/$target" "$out/seeds/$target" -runs="$runs" -max_len="$(max_len "$target")" \
        -timeout="$timeout" -max_total_time="${FUZZ_MAX_TIME:-0}" -print_final_stats=1 -artifact_prefix="$out/artifacts/$target-" > "$log" 2>&1
    echo "$target exit $?" >> "$log"
}

build_json 2> >(grep -v "ld.gold: warning: Cannot export local symbol" >&2) || exit 1
for t in "${targets[@]}"; do build "$t" || exit 1; seed "$t"; done
start=$(date +%s)
running=0
for t in "${targets[@]}"; do
    echo "fuzzing $t for $runs runs (log $out/logs/$t.log)"
    run "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait
echo
printf '%-18s %12s %8s %s\n' target executions seconds result
for t in "${targets[@]}"; do
    log="$out/logs/$t.log"
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' | tail -1)
    secs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | awk '{print $5}' | tail -1)
    if grep -q "$t exit 0" "$log"; then result=ok; else result="CRASH (see $log, $out/artifacts/$t-*)"; fi
    printf '%-18s %12s %8s %s\n' "$t" "${execs:-?}" "${secs:-?}" "$result"
done
echo "total wall time $(( $(date +%s) - start )) s"
