#!/usr/bin/env python3
"""Build ModernBERT test checkpoints and the fp32 outputs of Hugging Face `transformers` for them.

Why: every number mbconvert produces is judged against `transformers` running in fp32. This script is
the only place those reference numbers come from; the Swift tests compare against what it writes.

For each fixture it writes a Hugging Face directory (config.json + model.safetensors, or shards with
model.safetensors.index.json) and `golden.safetensors` holding, for every input sequence i:
  input_ids.i            I32 [len]
  hidden_states.L.i      F32 [len, hidden]   L = 0...num_layers, as output_hidden_states returns them
  last_hidden_state.i    F32 [len, hidden]   after the final norm
  logits.i               F32 [rows, out]     head logits (MLM: the rows listed in logits_rows.i)
  logits_rows.i          I32 [rows]          which token positions the logits rows belong to
The reference batch is run padded with an attention mask (what transformers users do), so the
golden values also check that padding does not leak into real tokens.

Weights stored as F16/BF16 are rounded first and the fp32 model runs on the rounded values, so the
golden outputs are exactly what the stored checkpoint means.

Usage:
  python Scripts/make_golden.py                 # small fixtures -> Tests/MBRuntimeTests/Fixtures
  python Scripts/make_golden.py --trained       # golden for the bundled Models/mini-pydocs-h256-l6, and
                                                # mini-pydocs-long-golden (one 742-token text; final
                                                # hidden state and a few logits rows only)
  python Scripts/make_golden.py --base OUT_DIR  # random-init ModernBERT-base shape (large; not in CI)
  python Scripts/make_golden.py --tasks         # task-head fixtures + pipeline outputs -> Tests/MBTasksTests/Fixtures
                                                # (see Scripts/task_golden.py); --only NAME... rebuilds some
Needs: torch, transformers (5.x), safetensors, tokenizers from PyPI.
"""
import argparse
import json
import os
import shutil

import torch
from safetensors.torch import save_file
from transformers import (
    ModernBertConfig,
    ModernBertForMaskedLM,
    ModernBertForQuestionAnswering,
    ModernBertForSequenceClassification,
    ModernBertForTokenClassification,
    ModernBertModel,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "MBRuntimeTests", "Fixtures")

CLASSES = {
    "ModernBertModel": ModernBertModel,
    "ModernBertForMaskedLM": ModernBertForMaskedLM,
    "ModernBertForSequenceClassification": ModernBertForSequenceClassification,
    "ModernBertForTokenClassification": ModernBertForTokenClassification,
    "ModernBertForQuestionAnswering": ModernBertForQuestionAnswering,
}
DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}

# Small shapes that differ in every knob the runtime reads. Lengths exceed the sliding windows.
SMALL = [
    dict(name="mlm-legacy-f32", cls="ModernBertForMaskedLM", dtype="F32", dialect="4.x",
         cfg=dict(hidden_size=64, num_attention_heads=4, num_hidden_layers=5, intermediate_size=96,
                  local_attention=16, global_attn_every_n_layers=3, vocab_size=1000),
         lengths=[41, 7, 23, 1, 64]),
    dict(name="mlm-untied-bf16", cls="ModernBertForMaskedLM", dtype="BF16", dialect="5.x",
         cfg=dict(hidden_size=96, num_attention_heads=6, num_hidden_layers=4, intermediate_size=128,
                  local_attention=32, global_attn_every_n_layers=2, vocab_size=777,
                  tie_word_embeddings=False, global_rope_theta=80000.0, local_rope_theta=5000.0),
         lengths=[70, 33, 2]),
    dict(name="seqcls-mean-f16", cls="ModernBertForSequenceClassification", dtype="F16", dialect="both",
         cfg=dict(hidden_size=64, num_attention_heads=2, num_hidden_layers=3, intermediate_size=80,
                  local_attention=8, global_attn_every_n_layers=4, vocab_size=500,
                  classifier_pooling="mean", num_labels=3, norm_bias=True, attention_bias=True,
                  mlp_bias=True, classifier_bias=True, hidden_activation="gelu_pytorch_tanh",
                  classifier_activation="silu", norm_eps=1e-6),
         lengths=[30, 5, 17]),
    dict(name="seqcls-cls-regression", cls="ModernBertForSequenceClassification", dtype="F32", dialect="5.x",
         cfg=dict(hidden_size=48, num_attention_heads=3, num_hidden_layers=2, intermediate_size=64,
                  local_attention=12, global_attn_every_n_layers=1, vocab_size=300,
                  classifier_pooling="cls", num_labels=1),
         lengths=[19, 4]),
    dict(name="tokcls-f32", cls="ModernBertForTokenClassification", dtype="F32", dialect="4.x",
         cfg=dict(hidden_size=64, num_attention_heads=4, num_hidden_layers=3, intermediate_size=96,
                  local_attention=10, global_attn_every_n_layers=3, vocab_size=400, num_labels=5,
                  decoder_bias=False),
         lengths=[27, 12]),
    dict(name="qa-bf16", cls="ModernBertForQuestionAnswering", dtype="BF16", dialect="4.x",
         cfg=dict(hidden_size=64, num_attention_heads=4, num_hidden_layers=3, intermediate_size=96,
                  local_attention=16, global_attn_every_n_layers=3, vocab_size=400, num_labels=2),
         lengths=[36, 9]),
    dict(name="base-sharded", cls="ModernBertModel", dtype="F32", dialect="5.x", shards=3,
         cfg=dict(hidden_size=64, num_attention_heads=4, num_hidden_layers=4, intermediate_size=96,
                  local_attention=14, global_attn_every_n_layers=3, vocab_size=600),
         lengths=[25, 3]),
]


def to_dialect(config_dict, dialect):
    """Rewrite a saved config into the requested key dialect (both dialects occur in the wild)."""
    d = dict(config_dict)
    layer_types = d["layer_types"]
    rope = d["rope_parameters"]
    g, l = rope["full_attention"]["rope_theta"], rope["sliding_attention"]["rope_theta"]
    every = [i for i, t in enumerate(layer_types) if t == "full_attention"]
    interval = every[1] - every[0] if len(every) > 1 else len(layer_types)
    legacy = dict(global_rope_theta=g, local_rope_theta=l, global_attn_every_n_layers=interval)
    if dialect == "4.x":
        d.pop("layer_types"); d.pop("rope_parameters")
        d.update(legacy)
    elif dialect == "5.x":
        for k in legacy:
            d.pop(k, None)
    else:
        d.update(legacy)
    return d


def make_config(spec):
    cfg = dict(spec["cfg"])
    global_theta = cfg.pop("global_rope_theta", 160000.0)
    local_theta = cfg.pop("local_rope_theta", 10000.0)
    every = cfg.pop("global_attn_every_n_layers")
    layers = cfg["num_hidden_layers"]
    layer_types = ["sliding_attention" if i % every else "full_attention" for i in range(layers)]
    rope = {"full_attention": {"rope_type": "default", "rope_theta": global_theta},
            "sliding_attention": {"rope_type": "default", "rope_theta": local_theta}}
    return ModernBertConfig(layer_types=layer_types, rope_parameters=rope, max_position_embeddings=512,
                            pad_token_id=0, bos_token_id=1, eos_token_id=2, cls_token_id=1, sep_token_id=2,
                            attn_implementation="eager", **cfg)


def round_weights(model, dtype):
    """Round every parameter through the storage dtype so fp32 runs on what the file holds."""
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.to(DTYPES[dtype]).to(torch.float32))


def randomize_norms(model, gen):
    """Random init leaves LayerNorm weights at 1 and biases at 0; perturb them so the test sees them."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                p.add_(0.2 * torch.randn(p.shape, generator=gen))
            elif name.endswith("bias"):
                p.add_(0.05 * torch.randn(p.shape, generator=gen))


def save_checkpoint(model, out_dir, dtype, dialect, shards=1):
    os.makedirs(out_dir, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    # Re-save tensors in the requested dtype (save_pretrained writes fp32), optionally sharded.
    cfg = json.load(open(os.path.join(out_dir, "config.json")))
    json.dump(to_dialect(cfg, dialect), open(os.path.join(out_dir, "config.json"), "w"), indent=2, sort_keys=True)
    state = {k: v.detach().to(DTYPES[dtype]).contiguous() for k, v in model.state_dict().items()}
    if getattr(model.config, "tie_word_embeddings", False):
        state.pop("decoder.weight", None)  # transformers stores tied weights once
    for f in os.listdir(out_dir):
        if f.startswith("model") and (f.endswith(".safetensors") or f.endswith(".json")):
            os.remove(os.path.join(out_dir, f))
    names = sorted(state)
    if shards == 1:
        save_file(state, os.path.join(out_dir, "model.safetensors"), metadata={"format": "pt"})
        return
    weight_map = {}
    for s in range(shards):
        part = names[s::shards]
        fname = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        save_file({k: state[k] for k in part}, os.path.join(out_dir, fname), metadata={"format": "pt"})
        weight_map.update({k: fname for k in part})
    total = sum(v.numel() * v.element_size() for v in state.values())
    json.dump({"metadata": {"total_size": total}, "weight_map": weight_map},
              open(os.path.join(out_dir, "model.safetensors.index.json"), "w"), indent=2, sort_keys=True)


@torch.no_grad()
def reference_outputs(model, sequences, logits_rows=None):
    """Run the padded batch in fp32 and return per-sequence golden tensors."""
    n = max(len(s) for s in sequences)
    pad = model.config.pad_token_id
    ids = torch.full((len(sequences), n), pad, dtype=torch.long)
    mask = torch.zeros((len(sequences), n), dtype=torch.long)
    for i, s in enumerate(sequences):
        ids[i, :len(s)] = torch.tensor(s)
        mask[i, :len(s)] = 1
    out = model(input_ids=ids, attention_mask=mask, output_hidden_states=True)
    base = out if isinstance(model, ModernBertModel) else None
    hidden = out.hidden_states
    last = out.last_hidden_state if base is not None else model.model(input_ids=ids, attention_mask=mask).last_hidden_state
    golden = {}
    for i, s in enumerate(sequences):
        L = len(s)
        golden[f"input_ids.{i}"] = torch.tensor(s, dtype=torch.int32)
        for layer, h in enumerate(hidden):
            golden[f"hidden_states.{layer}.{i}"] = h[i, :L].contiguous()
        golden[f"last_hidden_state.{i}"] = last[i, :L].contiguous()
        if isinstance(model, (ModernBertForMaskedLM, ModernBertForTokenClassification)):
            rows = list(range(L)) if logits_rows is None else logits_rows(i, L)
            golden[f"logits.{i}"] = out.logits[i, rows].contiguous()
            golden[f"logits_rows.{i}"] = torch.tensor(rows, dtype=torch.int32)
        elif isinstance(model, ModernBertForQuestionAnswering):
            golden[f"logits.{i}"] = torch.stack([out.start_logits[i, :L], out.end_logits[i, :L]], dim=-1).contiguous()
            golden[f"logits_rows.{i}"] = torch.arange(L, dtype=torch.int32)
        elif isinstance(model, ModernBertForSequenceClassification):
            golden[f"logits.{i}"] = out.logits[i:i + 1].contiguous()
    golden = {k: v.clone() for k, v in golden.items()}  # hidden_states[-1] is last_hidden_state in 5.x
    # Sanity: each sequence alone must give the same numbers as inside the padded batch.
    for i, s in enumerate(sequences):
        solo = model(input_ids=torch.tensor([s]), output_hidden_states=True).hidden_states[-1][0]
        diff = (solo - hidden[-1][i, :len(s)]).abs().max().item()
        assert diff < 1e-4, f"padded batch differs from single run by {diff}"
    return golden


def write_inputs(path, sequences):
    with open(path, "w") as f:
        for s in sequences:
            f.write(json.dumps(s) + "\n")


def build_small(seed):
    for k, spec in enumerate(SMALL):
        gen = torch.Generator().manual_seed(seed + k)
        torch.manual_seed(seed + k)
        config = make_config(spec)
        model = CLASSES[spec["cls"]](config).eval()
        randomize_norms(model, gen)
        round_weights(model, spec["dtype"])
        out_dir = os.path.join(FIXTURES, spec["name"])
        shutil.rmtree(out_dir, ignore_errors=True)
        save_checkpoint(model, out_dir, spec["dtype"], spec["dialect"], spec.get("shards", 1))
        vocab = config.vocab_size
        sequences = [[1] + torch.randint(3, vocab, (n - 2,), generator=gen).tolist() + [2] if n >= 2
                     else [1] for n in spec["lengths"]]
        write_inputs(os.path.join(out_dir, "inputs.jsonl"), sequences)
        golden = reference_outputs(model, sequences)
        save_file(golden, os.path.join(out_dir, "golden.safetensors"))
        print(f"{spec['name']}: {spec['cls']} {spec['dtype']} dialect={spec['dialect']} lengths={spec['lengths']}")


def build_trained(model_dir, out_path):
    """Golden outputs for the bundled trained checkpoint, on real text longer than its window."""
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    texts = [
        "A list is a mutable [MASK]. Lists may be constructed in several ways: using a pair of square "
        "brackets to denote the empty list, using square brackets and separating items with commas, "
        "using a list comprehension, or using the type constructor. " * 3,
        "The [MASK] statement is used to leave a loop early.",
        "Dictionaries can be created by placing a comma-separated list of key: value pairs within "
        "braces, for example, or by the dict constructor. The main operations on a dictionary are "
        "storing a value with some key and extracting the value given the [MASK]. " * 2,
    ]
    model = ModernBertForMaskedLM.from_pretrained(model_dir, attn_implementation="eager").float().eval()
    sequences = [tok.encode(t).ids for t in texts]
    mask_id = tok.token_to_id("[MASK]")

    def rows(i, L):  # the masked positions plus a spread of others; full-vocab logits are large
        s = sequences[i]
        picked = {p for p, t in enumerate(s) if t == mask_id} | {0, L - 1} | set(range(0, L, max(1, L // 6)))
        return sorted(picked)

    golden = reference_outputs(model, sequences, logits_rows=rows)
    save_file(golden, out_path)
    write_inputs(os.path.splitext(out_path)[0] + ".inputs.jsonl", sequences)
    print(f"trained: {model_dir} lengths={[len(s) for s in sequences]} -> {out_path}")


LONG_TEXT = (
    "A list is a mutable [MASK] of items. Lists may be constructed in several ways: with a pair of square "
    "brackets for the empty list, with square brackets and items separated by commas, with a list "
    "comprehension, or with the type constructor. The constructor builds a list whose items are the same "
    "and in the same order as the items of its argument, which may be a sequence, a container that supports "
    "iteration, or an iterator object. If the argument is already a list, a copy is made and returned. "
    "Many other operations also produce lists, including the sorted built-in function. "
    "Lists implement all of the common and mutable sequence operations, and they also provide a sort "
    "method that sorts the list in place, using only comparisons between items. Exceptions are not "
    "suppressed: if any comparison operation fails, the entire sort operation will fail and the list will "
    "likely be left in a partially modified state. The sort method accepts two arguments that can only be "
    "passed by keyword. The key argument specifies a function of one argument that is used to extract a "
    "comparison key from each list element. The reverse argument is a boolean value; if set to true, the "
    "list elements are sorted as if each comparison were reversed. This method modifies the sequence in "
    "place for economy of space when sorting a large sequence. To remind users that it operates by side "
    "effect, it does not return the sorted sequence. The sort method is guaranteed to be stable: a sort is "
    "stable if it guarantees not to change the relative order of elements that compare equal, which is "
    "helpful for sorting in multiple passes, for example by department, then by salary grade. "
    "Dictionaries can be created by placing a comma-separated list of key: value pairs within braces, or by "
    "the dict constructor. The main operations on a dictionary are storing a value with some key and "
    "extracting the value given the [MASK]. It is also possible to delete a key and value pair with the del "
    "statement. If you store using a key that is already in use, the old value associated with that key is "
    "forgotten. It is an error to extract a value using a key that does not exist. Performing list on a "
    "dictionary returns a list of all the keys used in the dictionary, in insertion order; to sort it, use "
    "the sorted function instead. To check whether a single key is in the dictionary, use the in keyword. "
    "The for statement iterates over the items of any sequence, a list or a string, in the order that they "
    "appear in the sequence. Code that modifies a collection while iterating over that same collection can "
    "be tricky to get right. Instead, it is usually more straightforward to loop over a copy of the "
    "collection or to create a new collection. If you do need to iterate over a sequence of numbers, the "
    "built-in range function comes in handy. It generates arithmetic progressions. The given end point is "
    "never part of the generated sequence. It is possible to let the range start at another number, or to "
    "specify a different increment, even a negative one, which is sometimes called the step. "
    "The break statement breaks out of the innermost enclosing for or while loop. A for or while loop can "
    "include an else clause. In a for loop, the else clause is executed after the loop reaches its final "
    "iteration. In a while loop, it is executed after the condition of the loop becomes false. In either "
    "kind of loop, the else clause is not executed if the loop was terminated by a [MASK] statement. "
    "The continue statement continues with the next iteration of the loop. The pass statement does "
    "nothing. It can be used when a statement is required syntactically but the program requires no action."
)


def build_trained_long(model_dir, out_path):
    """Golden for one text longer than 512 tokens: the global layers' attention goes through the
    runtime's key chunks (online softmax), which shorter inputs never reach. Only the final hidden
    state and a spread of logits rows are kept, to keep the fixture small."""
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    model = ModernBertForMaskedLM.from_pretrained(model_dir, attn_implementation="eager").float().eval()
    ids = tok.encode(LONG_TEXT).ids
    assert len(ids) > 512, f"the long text has only {len(ids)} tokens"
    mask_id = tok.token_to_id("[MASK]")
    rows = sorted({p for p, t in enumerate(ids) if t == mask_id} | {0, len(ids) // 2, len(ids) - 1})
    out = model(input_ids=torch.tensor([ids]))
    last = model.model(input_ids=torch.tensor([ids])).last_hidden_state
    golden = {"input_ids.0": torch.tensor(ids, dtype=torch.int32),
              "last_hidden_state.0": last[0].contiguous(),
              "logits.0": out.logits[0, rows].contiguous(),
              "logits_rows.0": torch.tensor(rows, dtype=torch.int32)}
    save_file({k: v.detach().clone() for k, v in golden.items()}, out_path)
    print(f"trained long: {model_dir} length {len(ids)} -> {out_path}")


def build_base(out_dir, seed, dtype="F32"):
    """Random-init ModernBERT-base (22 layers, 768 hidden, 12 heads, 1152 intermediate, vocab 50368)."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    config = ModernBertConfig(attn_implementation="eager")
    model = ModernBertForMaskedLM(config).eval()
    randomize_norms(model, gen)
    round_weights(model, dtype)
    hf_dir = os.path.join(out_dir, "hf")
    shutil.rmtree(hf_dir, ignore_errors=True)
    save_checkpoint(model, hf_dir, dtype, "5.x")
    lengths = [300, 129, 17]
    sequences = [[50281] + torch.randint(0, 50280, (n - 2,), generator=gen).tolist() + [50282] for n in lengths]
    write_inputs(os.path.join(out_dir, "inputs.jsonl"), sequences)
    golden = reference_outputs(model, sequences, logits_rows=lambda i, L: list(range(0, L, 7)))
    save_file(golden, os.path.join(out_dir, "golden.safetensors"))
    print(f"base: ModernBERT-base shape {dtype} lengths={lengths} -> {out_dir}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--trained", action="store_true", help="golden for the bundled trained model")
    ap.add_argument("--base", metavar="OUT_DIR", help="build the base-shape checkpoint and its golden here")
    ap.add_argument("--tasks", action="store_true", help="task-head fixtures and transformers pipeline outputs")
    ap.add_argument("--sentence-transformers", action="store_true",
                    help="sentence-transformers 2.x/6.x directories and encode outputs (Scripts/st_golden.py)")
    ap.add_argument("--only", nargs="+", metavar="NAME",
                    help="with --tasks: only these fixtures (names in task_golden.FIXTURES, 'pairs', 'bundled')")
    args = ap.parse_args()
    torch.set_num_threads(2)
    if args.sentence_transformers:
        import st_golden  # Scripts/st_golden.py
        st_golden.build_all(args.seed)
    elif args.tasks:
        import task_golden  # Scripts/task_golden.py: pipelines, sentence-transformers layout, zero-shot
        task_golden.build_all(args.seed, only=args.only, randomize_norms=randomize_norms, round_weights=round_weights)
    elif args.base:
        build_base(args.base, args.seed)
    elif args.trained:
        model_dir = os.path.join(ROOT, "Models", "mini-pydocs-h256-l6")
        build_trained(model_dir, os.path.join(FIXTURES, "mini-pydocs-golden.safetensors"))
        build_trained_long(model_dir, os.path.join(FIXTURES, "mini-pydocs-long-golden.safetensors"))
    else:
        build_small(args.seed)


if __name__ == "__main__":
    main()
