#!/usr/bin/env python3
"""ONNX Runtime int8 baseline for `mbconvert quantize --int8`, on the same token ids.

Why: the issue requires our int8 to agree with fp32 at least as well as ONNX Runtime's dynamic
int8 quantization does. This script exports transformers' ModernBertForMaskedLM (eager attention,
opset 17) to ONNX, quantizes it with onnxruntime.quantization.quantize_dynamic(per_channel=True,
weight_type=QInt8) (what ORT users run), and compares ORT-int8 with ORT-fp32 on the ids that
`mbconvert validate --write-ids` wrote, so the numbers line up with the validator's report:

  logits_top1_agreement, masked_top1_agreement (positions holding the mask id),
  kl_divergence_mean, hidden_cosine_mean / min (last hidden state, per token), file sizes.

Usage:
  mbconvert validate q.mbc --reference Models/mini-pydocs-h256-l6 --write-ids /tmp/ids.jsonl
  python Scripts/ort_int8_compare.py Models/mini-pydocs-h256-l6 --ids /tmp/ids.jsonl [--work /tmp/ort] [--json out.json]
Needs: torch, transformers, onnx, onnxscript, onnxruntime from PyPI.
"""
import argparse
import json
import os

import numpy as np
import torch
from transformers import ModernBertForMaskedLM


class LogitsAndHidden(torch.nn.Module):
    """Returns (logits, last_hidden_state) so both can be compared."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        out = self.model(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True)
        return out.logits, out.hidden_states[-1]


def export(model_dir, path):
    model = ModernBertForMaskedLM.from_pretrained(model_dir, attn_implementation="eager", dtype=torch.float32).eval()
    wrapper = LogitsAndHidden(model)
    ids = torch.randint(0, model.config.vocab_size, (1, 300))
    mask = torch.ones_like(ids)
    kwargs = dict(input_names=["input_ids", "attention_mask"], output_names=["logits", "last_hidden_state"],
                  dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                                "logits": {0: "batch", 1: "seq"}, "last_hidden_state": {0: "batch", 1: "seq"}},
                  opset_version=17)
    with torch.no_grad():
        try:
            torch.onnx.export(wrapper, (ids, mask), path, dynamo=False, **kwargs)
        except Exception as error:  # newer torch may only have the dynamo exporter
            print(f"legacy exporter failed ({error.__class__.__name__}); using dynamo exporter")
            torch.onnx.export(wrapper, (ids, mask), path, dynamo=True, external_data=False, **kwargs)
    return model.config


def run(session, sequences):
    outs = []
    for s in sequences:
        ids = np.asarray([s], dtype=np.int64)
        logits, hidden = session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
        outs.append((logits[0].astype(np.float64), hidden[0].astype(np.float64)))
    return outs


def compare(reference, candidate, sequences, mask_id):
    top1 = masked_top1 = rows = masked_rows = 0
    kl = 0.0
    cosines = []
    for (rl, rh), (cl, ch), s in zip(reference, candidate, sequences):
        rp = rl - rl.max(axis=1, keepdims=True)
        rp = rp - np.log(np.exp(rp).sum(axis=1, keepdims=True))
        cp = cl - cl.max(axis=1, keepdims=True)
        cp = cp - np.log(np.exp(cp).sum(axis=1, keepdims=True))
        kl += float((np.exp(rp) * (rp - cp)).sum())
        agree = rl.argmax(axis=1) == cl.argmax(axis=1)
        top1 += int(agree.sum())
        rows += len(s)
        masked = np.asarray(s) == mask_id
        masked_top1 += int(agree[masked].sum())
        masked_rows += int(masked.sum())
        num = (rh * ch).sum(axis=1)
        den = np.linalg.norm(rh, axis=1) * np.linalg.norm(ch, axis=1)
        cosines.extend((num / np.maximum(den, 1e-300)).tolist())
    return {
        "logits_top1_agreement": top1 / rows,
        "masked_top1_agreement": masked_top1 / masked_rows if masked_rows else None,
        "kl_divergence_mean": kl / rows,
        "hidden_cosine_mean": float(np.mean(cosines)),
        "hidden_cosine_min": float(np.min(cosines)),
        "rows": rows, "masked_rows": masked_rows,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model_dir")
    parser.add_argument("--ids", required=True, help="JSONL token ids (mbconvert validate --write-ids)")
    parser.add_argument("--mask-id", type=int, default=50284, help="[MASK] id for masked-position agreement")
    parser.add_argument("--work", default="/tmp/ort-int8")
    parser.add_argument("--json")
    args = parser.parse_args()

    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    os.makedirs(args.work, exist_ok=True)
    fp32_path = os.path.join(args.work, "model.onnx")
    int8_path = os.path.join(args.work, "model.int8.onnx")
    export(args.model_dir, fp32_path)
    quantize_dynamic(fp32_path, int8_path, per_channel=True, weight_type=QuantType.QInt8)

    sequences = [json.loads(line) for line in open(args.ids) if line.strip()]
    options = ort.SessionOptions()
    fp32 = ort.InferenceSession(fp32_path, options, providers=["CPUExecutionProvider"])
    int8 = ort.InferenceSession(int8_path, options, providers=["CPUExecutionProvider"])
    reference = run(fp32, sequences)
    result = compare(reference, run(int8, sequences), sequences, args.mask_id)
    result["fp32_bytes"] = os.path.getsize(fp32_path)
    result["int8_bytes"] = os.path.getsize(int8_path)
    result["int8_size_ratio"] = result["int8_bytes"] / result["fp32_bytes"]
    result["model"] = args.model_dir
    result["ids"] = args.ids
    text = json.dumps(result, indent=2, sort_keys=True)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
