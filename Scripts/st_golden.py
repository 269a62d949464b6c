#!/usr/bin/env python3
"""sentence-transformers directories in the 6.x and the 2.x layouts, and what SentenceTransformer.encode gives.

Writes Tests/MBTasksTests/Fixtures/st/:
  base/            one random-init ModernBertModel (hidden 16, F16) that every variant's Transformer module
                   links to (config.json, model.safetensors; the bundled model's tokenizer), so the variants
                   cost kilobytes each
  <variant>/       a sentence-transformers directory + golden.json: the texts and, per case, the keyword
                   arguments of encode (prompt_name, truncate_dim, normalize_embeddings) and its output in fp32

New-format variants are saved by sentence-transformers itself (SentenceTransformer(modules=[...]).save, so the
module type names, `"pooling_mode": "..."`, Dense/Normalize configs and prompts are what 6.x writes); old-format
variants are written by hand in the 2.x layout (`sentence_transformers.models.*` types, `pooling_mode_*_tokens`
booleans, `word_embedding_dimension`, `sentence_bert_config.json` with `max_seq_length`) and loaded by
sentence-transformers to produce their golden output.

Usage: python Scripts/st_golden.py   (or make_golden.py --sentence-transformers)
Needs: torch, transformers (5.x), sentence-transformers (6.x), safetensors from PyPI.
"""
import json
import os
import shutil

import numpy as np
import torch
from safetensors.torch import save_file
from transformers import ModernBertConfig, ModernBertModel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "MBTasksTests", "Fixtures", "st")
BUNDLED = os.path.join(ROOT, "Models", "mini-pydocs-h256-l6")
HIDDEN = 16

TEXTS = [
    "A list is a mutable sequence.",
    "Tuples are immutable.",
    "Guido van Rossum created Python while working in Amsterdam.",
    "Zoë visited Zürich and São Paulo — the café was lovely!",
    "The quick brown fox jumps over the lazy dog near the river bank in London on a sunny Tuesday morning, "
    "then rests under an old oak tree while the clouds drift slowly across the pale blue sky.",  # > 24 tokens
    "",
]
PROMPTS = {"query": "search_query: ", "document": "search_document: "}


def build_base(seed):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    cfg = ModernBertConfig(hidden_size=HIDDEN, num_attention_heads=2, num_hidden_layers=2, intermediate_size=32,
                           local_attention=8, vocab_size=50368, max_position_embeddings=512, initializer_range=0.3,
                           pad_token_id=50283, bos_token_id=50281, eos_token_id=50282, cls_token_id=50281,
                           sep_token_id=50282, layer_types=["full_attention", "sliding_attention"])
    model = ModernBertModel(cfg).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                p.add_(0.2 * torch.randn(p.shape, generator=gen))
            p.copy_(p.half().float())  # stored as F16: the reference runs on the stored values
    base = os.path.join(OUT, "base")
    os.makedirs(base)
    model.save_pretrained(base, safe_serialization=True)
    for f in os.listdir(base):
        if f.endswith(".safetensors"):
            os.remove(os.path.join(base, f))
    save_file({k: v.half().contiguous() for k, v in model.state_dict().items()},
              os.path.join(base, "model.safetensors"), metadata={"format": "pt"})


def link(variant_dir, name, target_dir):
    dst = os.path.join(variant_dir, name)
    os.symlink(os.path.relpath(os.path.join(target_dir, name), variant_dir), dst)


def transformer_files(variant_dir, model_max_length=None):
    """The Transformer module at the variant's root: links to the shared weights and the bundled tokenizer;
    tokenizer_config.json is copied when sentence-transformers must record a max_seq_length in it (6.x)."""
    os.makedirs(variant_dir)
    for f in ("config.json", "model.safetensors"):
        link(variant_dir, f, os.path.join(OUT, "base"))
    link(variant_dir, "tokenizer.json", BUNDLED)
    if model_max_length is None:
        link(variant_dir, "tokenizer_config.json", BUNDLED)
    else:
        cfg = json.load(open(os.path.join(BUNDLED, "tokenizer_config.json")))
        cfg["model_max_length"] = model_max_length
        json.dump(cfg, open(os.path.join(variant_dir, "tokenizer_config.json"), "w"), indent=2)


def dense_weights(gen, n_in, n_out, bias=True, residual=False):
    w = {"linear.weight": (torch.randn(n_out, n_in, generator=gen) * 0.5).half().float()}
    if bias:
        w["linear.bias"] = (torch.randn(n_out, generator=gen) * 0.2).half().float()
    if residual and n_in != n_out:
        w["residual.weight"] = (torch.randn(n_out, n_in, generator=gen) * 0.5).half().float()
    return w


# ---------------------------------------------------------------- new format (saved by sentence-transformers 6.x)

NEW = [
    dict(name="st6-mean-dense-normalize", pooling="mean", dense=[(8, "Tanh", True, False)], normalize=True,
         prompts=PROMPTS),
    dict(name="st6-cls-identity-nobias", pooling="cls", dense=[(12, "Identity", False, False)], normalize=False),
    dict(name="st6-max-normalize", pooling="max", dense=[], normalize=True),
    dict(name="st6-meansqrt", pooling="mean_sqrt_len_tokens", dense=[], normalize=False, max_seq_length=24),
    dict(name="st6-weightedmean-noprompt", pooling="weightedmean", include_prompt=False, dense=[], normalize=True,
         prompts={"query": "query: ", "passage": "passage: "}, default_prompt_name="query"),
    dict(name="st6-lasttoken-residual", pooling="lasttoken",
         dense=[(16, "GELU", True, True), (8, "SiLU", True, True), (8, "Sigmoid", True, False)], normalize=False),
    dict(name="st6-multi-relu", pooling=("cls", "mean", "max"), dense=[(12, "ReLU", True, False), (8, "Identity", True, False)],
         normalize=True),
]


def build_new(spec, seed):
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.base.modules import Dense, Normalize
    from sentence_transformers.base.modules.transformer import Transformer
    from sentence_transformers.sentence_transformer.modules import Pooling

    gen = torch.Generator().manual_seed(seed)
    tmp = os.path.join(OUT, "_tmp_transformer")
    shutil.rmtree(tmp, ignore_errors=True)
    transformer_files(tmp)
    modules = [Transformer(tmp, max_seq_length=spec.get("max_seq_length")),
               Pooling(HIDDEN, pooling_mode=spec["pooling"], include_prompt=spec.get("include_prompt", True))]
    width = HIDDEN * (len(spec["pooling"]) if isinstance(spec["pooling"], tuple) else 1)
    for n_out, act, bias, residual in spec["dense"]:
        d = Dense(width, n_out, bias=bias, activation_function=getattr(torch.nn, act)(), use_residual=residual)
        with torch.no_grad():
            for k, v in dense_weights(gen, width, n_out, bias, residual).items():
                d.state_dict()[k].copy_(v)
        modules.append(d)
        width = n_out
    if spec["normalize"]:
        modules.append(Normalize())
    model = SentenceTransformer(modules=modules, prompts=spec.get("prompts"),
                                default_prompt_name=spec.get("default_prompt_name"), device="cpu")
    out = os.path.join(OUT, spec["name"])
    model.save(out)
    shutil.rmtree(tmp)
    # Saved copies of the shared files become links again (the bytes are identical).
    for f in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"):
        if f == "tokenizer_config.json" and spec.get("max_seq_length"):
            continue
        src = os.path.join(out, f)
        if os.path.exists(src):
            os.remove(src)
        link(out, f, os.path.join(OUT, "base") if f in ("config.json", "model.safetensors") else BUNDLED)
    for f in ("README.md",):
        if os.path.exists(os.path.join(out, f)):
            os.remove(os.path.join(out, f))
    return out


# ---------------------------------------------------------------- old format (2.x layout, written by hand)

OLD = [
    dict(name="st2-mean-dense-normalize", modes=["pooling_mode_mean_tokens"],
         dense=[(8, "torch.nn.modules.activation.Tanh", True)], normalize=True, max_seq_length=24),
    dict(name="st2-cls-weightedmean", modes=["pooling_mode_cls_token", "pooling_mode_weightedmean_tokens"],
         dense=[], normalize=False, max_seq_length=512),
    dict(name="st2-lasttoken-identity", modes=["pooling_mode_lasttoken"],
         dense=[(16, "torch.nn.modules.linear.Identity", True)], normalize=True, max_seq_length=512),
]
LEGACY_KEYS = ["pooling_mode_cls_token", "pooling_mode_mean_tokens", "pooling_mode_max_tokens",
               "pooling_mode_mean_sqrt_len_tokens", "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken"]


def build_old(spec, seed):
    gen = torch.Generator().manual_seed(seed)
    out = os.path.join(OUT, spec["name"])
    transformer_files(out)
    modules = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
               {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
    os.makedirs(os.path.join(out, "1_Pooling"))
    pooling = {"word_embedding_dimension": HIDDEN}
    pooling.update({k: k in spec["modes"] for k in LEGACY_KEYS})
    json.dump(pooling, open(os.path.join(out, "1_Pooling", "config.json"), "w"), indent=4)
    width = HIDDEN * len(spec["modes"])
    for n_out, act, bias in spec["dense"]:
        idx = len(modules)
        path = f"{idx}_Dense"
        modules.append({"idx": idx, "name": str(idx), "path": path, "type": "sentence_transformers.models.Dense"})
        os.makedirs(os.path.join(out, path))
        json.dump({"in_features": width, "out_features": n_out, "bias": bias, "activation_function": act},
                  open(os.path.join(out, path, "config.json"), "w"))
        save_file({k: v.contiguous() for k, v in dense_weights(gen, width, n_out, bias).items()},
                  os.path.join(out, path, "model.safetensors"))
        width = n_out
    if spec["normalize"]:
        idx = len(modules)
        modules.append({"idx": idx, "name": str(idx), "path": f"{idx}_Normalize",
                        "type": "sentence_transformers.models.Normalize"})
    json.dump(modules, open(os.path.join(out, "modules.json"), "w"), indent=2)
    json.dump({"max_seq_length": spec["max_seq_length"], "do_lower_case": False},
              open(os.path.join(out, "sentence_bert_config.json"), "w"), indent=2)
    json.dump({"__version__": {"sentence_transformers": "2.2.2", "transformers": "4.36.0", "pytorch": "2.1.0"}},
              open(os.path.join(out, "config_sentence_transformers.json"), "w"), indent=2)
    return out


# ---------------------------------------------------------------- golden outputs

def write_golden(out, spec):
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(out, device="cpu")
    model.eval()
    cases = [dict(name="default", kwargs={})]
    for name in model.prompts:
        if model.prompts[name]:
            cases.append(dict(name=f"prompt {name}", kwargs=dict(prompt_name=name)))
    dim = model.get_sentence_embedding_dimension()
    cases.append(dict(name="matryoshka", kwargs=dict(truncate_dim=dim // 2, normalize_embeddings=True)))
    for case in cases:
        with torch.no_grad():
            e = model.encode(TEXTS, convert_to_numpy=True, batch_size=len(TEXTS), **case["kwargs"])
        case["embeddings"] = [[float(x) for x in row] for row in e.astype(np.float64)]
        # A test that cannot fail is no test: different texts must embed differently, by far more than the
        # tests' tolerance (1e-4 per value), so that embedding the wrong tokens cannot pass.
        gap = min(np.abs(e[i] - e[j]).max() for i in range(len(e)) for j in range(i))
        assert gap > 1e-2, f"{spec['name']} {case['name']}: two texts embed within {gap:.2e} of each other"
        case["min_pairwise_difference"] = float(gap)
    tokens = [len(model.tokenize([t])["input_ids"][0]) for t in TEXTS]
    golden = dict(texts=TEXTS, max_seq_length=model.max_seq_length, token_counts=tokens, dimension=dim,
                  prompts=model.prompts, default_prompt_name=model.default_prompt_name, cases=cases)
    json.dump(golden, open(os.path.join(out, "golden.json"), "w"), indent=1, ensure_ascii=False)
    print(f"{spec['name']}: dimension {dim}, {len(cases)} cases, max_seq_length {model.max_seq_length}")


def build_all(seed=1234):
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    build_base(seed)
    for k, spec in enumerate(NEW):
        write_golden(build_new(spec, seed + 10 + k), spec)
    for k, spec in enumerate(OLD):
        write_golden(build_old(spec, seed + 50 + k), spec)


if __name__ == "__main__":
    torch.set_num_threads(2)
    build_all()
