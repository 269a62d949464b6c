#!/usr/bin/env python3
"""Writes the small committed fuzz seeds (run once; outputs are committed).

- seeds/tiny-hf/: a 2-layer ModernBertForMaskedLM checkpoint (hidden 8, vocab 32), a few KB,
  so the converted model file is small enough to mutate quickly and to flip exhaustively in tests.
- seeds/tokenizer-small.json: the real tokenizer.json cut down to ids < 320 (and the merges among
  them) with every other component unchanged, so Tokenizer(jsonData:) runs in well under a millisecond.
"""
import json, os, struct, random

here = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(7)

def tiny_hf(out):
    os.makedirs(out, exist_ok=True)
    H, I, V, L = 8, 8, 32, 2
    config = {
        "architectures": ["ModernBertForMaskedLM"], "model_type": "modernbert",
        "hidden_size": H, "intermediate_size": I, "num_hidden_layers": L, "num_attention_heads": 2,
        "vocab_size": V, "max_position_embeddings": 64, "local_attention": 4,
        "global_attn_every_n_layers": 2, "global_rope_theta": 160000.0, "local_rope_theta": 10000.0,
        "norm_eps": 1e-05, "norm_bias": False, "attention_bias": False, "mlp_bias": False,
        "hidden_activation": "gelu", "classifier_activation": "gelu", "classifier_bias": False,
        "decoder_bias": True, "tie_word_embeddings": True, "pad_token_id": 0, "cls_token_id": 1, "sep_token_id": 2,
    }
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
    tensors = [("model.embeddings.tok_embeddings.weight", [V, H]), ("model.embeddings.norm.weight", [H])]
    for n in range(L):
        p = f"model.layers.{n}"
        if n > 0:
            tensors.append((f"{p}.attn_norm.weight", [H]))
        tensors += [(f"{p}.attn.Wqkv.weight", [3 * H, H]), (f"{p}.attn.Wo.weight", [H, H]),
                    (f"{p}.mlp_norm.weight", [H]), (f"{p}.mlp.Wi.weight", [2 * I, H]), (f"{p}.mlp.Wo.weight", [H, I])]
    tensors += [("model.final_norm.weight", [H]), ("head.dense.weight", [H, H]), ("head.norm.weight", [H]),
                ("decoder.bias", [V])]
    header, data = {}, b""
    for name, shape in tensors:
        count = 1
        for d in shape:
            count *= d
        if name.endswith("norm.weight"):
            values = [1.0 + rng.uniform(-0.1, 0.1) for _ in range(count)]
        else:
            values = [rng.gauss(0, 0.2) for _ in range(count)]
        raw = struct.pack(f"<{count}f", *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(os.path.join(out, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)

def small_tokenizer(src, out):
    with open(src, encoding="utf-8") as f:
        tok = json.load(f)
    keep = {t: i for t, i in tok["model"]["vocab"].items() if i < 320}
    merges = []
    for m in tok["model"]["merges"]:
        left, right = m if isinstance(m, list) else m.split(" ", 1)
        if left in keep and right in keep and left + right in keep:
            merges.append(m)
    tok["model"]["vocab"] = keep
    # The five bracketed specials and a few whitespace/other added tokens keep every code path alive.
    tok["added_tokens"] = [t for t in tok["added_tokens"] if t["content"].startswith("[") and not t["content"].startswith("[unused")] + tok["added_tokens"][:6]
    tok["model"]["merges"] = merges
    with open(out, "w", encoding="utf-8") as f:
        json.dump(tok, f, ensure_ascii=False, separators=(",", ":"))

tiny_hf(os.path.join(here, "seeds", "tiny-hf"))
small_tokenizer(os.path.join(here, "..", "Tests", "MBTokenizerTests", "Fixtures", "tokenizer.json"),
                os.path.join(here, "seeds", "tokenizer-small.json"))
