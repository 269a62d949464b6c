#!/usr/bin/env bash
# The held-out check of `quantize --int8` (issue 18) on a second trained checkpoint: a smaller
# ModernBERT (hidden 128, 4 layers, 2 heads, intermediate 256, seed 7) trained on a different corpus,
# the Vim help (Debian package vim-runtime, /usr/share/vim/vim90/doc), then quantized with the default
# calibration (built-in texts) and validated on other texts (300 paragraphs of the Git documentation,
# Debian package git) against fp32 and against ONNX Runtime's int8.
#
# Usage: Scripts/heldout_checkpoint.sh TRAIN_MINI_PY OUT_DIR [MINUTES]
#   TRAIN_MINI_PY: the project's shared tools/train_mini.py (../shared/tools/train_mini.py)
# Needs: a release build (.build/release/mbconvert), python with torch, transformers, tokenizers,
# safetensors; onnx, onnxscript and onnxruntime for the ORT comparison (PyPI).
# The weights are not committed; the figures are in Docs/quantization.md.
set -euo pipefail
train=$1 out=$2 minutes=${3:-30}
py=${PYTHON:-python3}
mb=.build/release/mbconvert
mkdir -p "$out"
model="$out/mini-vimdoc-h128-l4"
[ -f "$model/model.safetensors" ] || "$py" "$train" --corpus /usr/share/vim/vim90/doc \
    --tokenizer Models/mini-pydocs-h256-l6 --out "$model" --minutes "$minutes" --seed 7 \
    --hidden 128 --layers 4 --heads 2 --intermediate 256 --batch 16 --seq 128
cp Models/mini-pydocs-h256-l6/tokenizer.json Models/mini-pydocs-h256-l6/tokenizer_config.json "$model/"
"$py" Scripts/heldout_texts.py --dir /usr/share/doc/git --seed 18 > "$out/git300.jsonl"
"$mb" quantize "$model" -o "$out/int8.mbc" --int8 | tee "$out/quantize.log"
"$mb" validate "$out/int8.mbc" --reference "$model" --texts "$out/git300.jsonl" \
    --write-ids "$out/ids.jsonl" --json "$out/validate.json" | tee "$out/validate.log" || true
"$py" Scripts/ort_int8_compare.py "$model" --ids "$out/ids.jsonl" --work "$out/ort" --json "$out/ort.json"
