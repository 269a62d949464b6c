#!/usr/bin/env bash
# The main job on the bundled model: build, convert, quantize to int8, validate it against fp32,
# run it (fill-mask in both int8 modes, a forward pass), and time it.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh
out=${MBCONVERT_OUT:-.build/quickstart}
mkdir -p "$out"
swift build -c release --product mbconvert
bin=.build/release/mbconvert

$bin convert Models/mini-pydocs-h256-l6 -o "$out/mini.mbc"
$bin convert Models/mini-pydocs-h256-l6 -o "$out/mini-f16.mbc" --dtype f16
$bin inspect "$out/mini.mbc" --verify | head -12
$bin fill-mask "$out/mini.mbc" "A list is a mutable [MASK]."
$bin fill-mask "$out/mini-f16.mbc" "A list is a mutable [MASK]." --top-k 3

# int8: quantize, check it against the fp32 file (exit 1 if a threshold fails), run it.
$bin quantize Models/mini-pydocs-h256-l6 -o "$out/mini-int8.mbc" --int8
$bin validate "$out/mini-int8.mbc" --reference "$out/mini.mbc"
$bin fill-mask "$out/mini-int8.mbc" "A list is a mutable [MASK]." --top-k 3
$bin fill-mask "$out/mini-int8.mbc" "A list is a mutable [MASK]." --top-k 3 --mode w8a8
$bin bench "$out/mini-int8.mbc" --batch 8 --seq 128 --mode w8a8 --iterations 3

printf '%s\n' '"The capital of Nova Scotia is Halifax."' '"Dictionaries map keys to values."' > "$out/texts.jsonl"
$bin tokenize "$out/mini.mbc" --input "$out/texts.jsonl" --output "$out/ids.jsonl"
$bin forward "$out/mini.mbc" --input "$out/ids.jsonl" --output "$out/forward.safetensors" --hidden-states --logits
echo "forward pass written to $out/forward.safetensors"
