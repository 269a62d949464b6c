#!/usr/bin/env bash
# Batch embedding of a JSONL corpus in shards, run locally the way the Kubernetes Indexed Job in
# deploy/k8s/embed-job.yaml runs it: split the corpus into N line-aligned shards, embed shard k in its
# own process (JOB_COMPLETION_INDEX=k) into emb-k.safetensors, then check that the shards' vectors,
# concatenated in shard order, equal one `mbconvert embed` over the whole corpus.
#
#   Scripts/embed-shards.sh [corpus.jsonl]     # default: a corpus made from the lines of Docs/*.md
#
# Environment: SHARDS (2), MODEL (default: the bundled model, converted), MBCONVERT_BIN, WORK.
set -euo pipefail
cd "$(dirname "$0")/.."
shards=${SHARDS:-2}
work=${WORK:-.build/embed-shards}
bin=${MBCONVERT_BIN:-}
if [[ -z "$bin" ]]; then
    swift build -c release --product mbconvert
    bin=.build/release/mbconvert
fi
rm -rf "$work/shards" "$work/out"
mkdir -p "$work/shards" "$work/out"
model=${MODEL:-$work/mini.mbc}
[[ -f "$model" ]] || "$bin" convert Models/mini-pydocs-h256-l6 -o "$model" > /dev/null

corpus=${1:-$work/corpus.jsonl}
if [[ -z "${1:-}" ]]; then
    # One {"text": ...} object per line: every Docs/*.md line of 40 characters or more.
    python3 - "$corpus" <<'EOF'
import glob, json, sys
with open(sys.argv[1], "w", encoding="utf-8") as out:
    for path in sorted(glob.glob("Docs/*.md")):
        for line in open(path, encoding="utf-8"):
            if len(line.strip()) >= 40:
                out.write(json.dumps({"text": line.strip()}) + "\n")
EOF
fi
lines=$(wc -l < "$corpus")

# Line-aligned shards of about equal size, in corpus order: shard-00000.jsonl, shard-00001.jsonl, ...
split -n "l/$shards" -d -a 5 --additional-suffix=.jsonl "$corpus" "$work/shards/shard-"

start=$EPOCHREALTIME
for ((k = 0; k < shards; k++)); do
    (
        export JOB_COMPLETION_INDEX=$k     # what Kubernetes sets in pod k of an Indexed Job
        i=$(printf '%05d' "$JOB_COMPLETION_INDEX")
        "$bin" embed "$model" --normalize --threads 1 --input "$work/shards/shard-$i.jsonl" \
            -o "$work/out/emb-$i.safetensors" > /dev/null
    ) &
done
wait
sharded=$(awk "BEGIN { printf \"%.2f\", $EPOCHREALTIME - $start }")

start=$EPOCHREALTIME
"$bin" embed "$model" --normalize --input "$corpus" -o "$work/out/emb-all.safetensors" > /dev/null
whole=$(awk "BEGIN { printf \"%.2f\", $EPOCHREALTIME - $start }")

python3 - "$work/out" "$shards" <<'EOF'
import json, struct, sys
def read(path):
    # safetensors: u64 little-endian header length, JSON header, then the raw tensor bytes.
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    t = header["embeddings"]
    rows, dim = t["shape"]
    start, end = t["data_offsets"]
    values = struct.unpack(f"<{rows * dim}f", data[start:end])
    return [values[r * dim:(r + 1) * dim] for r in range(rows)]
out, shards = sys.argv[1], int(sys.argv[2])
joined = [row for k in range(shards) for row in read(f"{out}/emb-{k:05d}.safetensors")]
whole = read(f"{out}/emb-all.safetensors")
assert len(joined) == len(whole), (len(joined), len(whole))
worst = max(abs(a - b) for x, y in zip(joined, whole) for a, b in zip(x, y))
print(f"{len(joined)} vectors from {shards} shards equal one run over the corpus: max |difference| {worst:.1e}")
sys.exit(0 if worst <= 1e-6 else 1)
EOF
echo "$lines texts: $shards shard processes (1 thread each) ${sharded}s, one process (all cores) ${whole}s"
ls -l "$work/out"
