"""Task-head fixtures and the outputs transformers' pipelines give for them (run via make_golden.py --tasks).

Writes Tests/MBTasksTests/Fixtures/<name>/ (a Hugging Face directory, tokenizer files as symlinks to the
bundled model's, so the real 50368-token tokenizer is used without copying 3.5 MB per fixture) and
golden.json next to it, plus bundled-model cases in Tests/MBTasksTests/Fixtures/mini-pydocs-tasks.json.

References, all fp32 on CPU:
  text-classification   pipeline("text-classification", top_k=None) (function_to_apply from problem_type)
  token-classification  pipeline("token-classification", aggregation_strategy=simple|first|average|max)
  question-answering    transformers 5.x has no QA pipeline; `qa_pipeline` below is the 4.x pipeline's
                        algorithm (fast tokenizer, truncation="only_second", stride, p_mask, CLS unmasked
                        for the softmax then zeroed, decode_spans/select_starts_ends from transformers,
                        answers aligned to words) with the same defaults (max_seq_len 384, doc_stride 128,
                        max_answer_len 15)
  fill-mask             pipeline("fill-mask", top_k=5) on the bundled trained model
  embeddings            sentence-transformers' Transformer -> Pooling(mean) -> Normalize, done with torch
  text pairs            tokenizer(text, text_pair, truncation=longest_first|only_first|only_second, max_length=n)
                        (ids, offsets or the error it raises), pipeline("text-classification") on {"text",
                        "text_pair"} inputs (seqcls-single/pairs.json, reranker/golden.json)
  reranking             a one-label mean-pooling classifier (the gte-reranker-modernbert-base layout): each
                        (query, document) pair's logit and sigmoid, and the ranking, per truncation strategy
  zero-shot (MLM)       mean log-probability of the label's tokens at as many masks (see Docs/library.md)

Random-init classifiers give near-uniform scores, so classifier weights are scaled up (`SHARPEN`) until
every decision the tests compare (argmax labels, entity grouping, best spans) has a clear margin.
"""
import json
import os
import shutil

import numpy as np
import torch
from safetensors.torch import save_file
from transformers import (
    AutoTokenizer,
    ModernBertConfig,
    ModernBertForMaskedLM,
    ModernBertForQuestionAnswering,
    ModernBertForSequenceClassification,
    ModernBertForTokenClassification,
    ModernBertModel,
    pipeline,
)
from transformers.pipelines.document_question_answering import select_starts_ends

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "MBTasksTests", "Fixtures")
BUNDLED = os.path.join(ROOT, "Models", "mini-pydocs-h256-l6")
SHARPEN = 12.0

TEXTS = [
    "Guido van Rossum created Python while working in Amsterdam.",
    "Marie Curie moved from Warsaw to Paris, where she studied physics and chemistry at the Sorbonne.",
    "Short.",
    "Zoë visited Zürich and São Paulo — the café was lovely!",
    "The quick brown fox jumps over the lazy dog near the river bank in London on a sunny Tuesday morning.",
]

QA_CONTEXT_LONG = (
    "Python is a high-level, general-purpose programming language. Its design philosophy emphasizes code "
    "readability with the use of significant indentation. Guido van Rossum began working on Python in the "
    "late 1980s as a successor to the ABC programming language and first released it in 1991 as Python 0.9.0. "
    "Python 2.0 was released in 2000. Python 3.0, released in 2008, was a major revision not completely "
    "backward-compatible with earlier versions. Python consistently ranks as one of the most popular "
    "programming languages, and has gained widespread use in the machine learning community."
)
QA_CASES = [
    dict(question="Who created Python?", context="Python was created by Guido van Rossum in Amsterdam."),
    dict(question="Where does the river flow?", context="The Rhine flows from the Swiss Alps to the North Sea, passing Basel and Cologne."),
    dict(question="When was Python 3.0 released?", context=QA_CONTEXT_LONG, max_seq_len=48, doc_stride=16),
    dict(question="What did Guido van Rossum begin?", context=QA_CONTEXT_LONG, max_seq_len=64, doc_stride=24, max_answer_len=5),
]

SMALL = dict(hidden_size=16, num_attention_heads=2, num_hidden_layers=2, intermediate_size=32, local_attention=8,
             vocab_size=50368, max_position_embeddings=512, pad_token_id=50283, bos_token_id=50281,
             eos_token_id=50282, cls_token_id=50281, sep_token_id=50282, attn_implementation="eager",
             layer_types=["full_attention", "sliding_attention"],
             rope_parameters={"full_attention": {"rope_type": "default", "rope_theta": 160000.0},
                              "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0}})

FIXTURES = [
    dict(name="seqcls-single", cls=ModernBertForSequenceClassification,
         cfg=dict(classifier_pooling="cls", initializer_range=0.3, problem_type="single_label_classification",
                  id2label={0: "negative", 1: "neutral", 2: "positive"})),
    dict(name="seqcls-multi", cls=ModernBertForSequenceClassification,
         cfg=dict(classifier_pooling="mean", problem_type="multi_label_classification", initializer_range=0.3,
                  id2label={0: "code", 1: "science", 2: "travel", 3: "food"})),
    dict(name="seqcls-regression", cls=ModernBertForSequenceClassification,
         cfg=dict(classifier_pooling="mean", problem_type="regression", num_labels=1, initializer_range=0.3)),
    dict(name="tokcls", cls=ModernBertForTokenClassification,
         cfg=dict(initializer_range=0.3, id2label={0: "O", 1: "B-PER", 2: "I-PER", 3: "B-LOC", 4: "I-LOC", 5: "MISC"})),
    dict(name="qa", cls=ModernBertForQuestionAnswering, cfg=dict(num_labels=2)),
    dict(name="st-mean-normalize", cls=ModernBertModel, cfg=dict()),
    # The gte-reranker-modernbert-base layout (one relevance logit, mean pooling); 64 positions so that
    # document-side truncation is exercised by short texts.
    dict(name="reranker", cls=ModernBertForSequenceClassification,
         cfg=dict(classifier_pooling="mean", num_labels=1, initializer_range=0.3, max_position_embeddings=64)),
]

# ---------------------------------------------------------------- pairs and reranking

RERANK_QUERY = "How do I remove an item from a list?"
RERANK_DOCS = [
    "Use list.remove(x) to delete the first item equal to x.",
    "The with statement wraps a block in a context manager.",
    "Strings are immutable sequences of Unicode code points.",
    "del a[i] removes the item at index i; a.pop() removes and returns the last one.",
    QA_CONTEXT_LONG,  # ~110 tokens: cut to fit 64 with the query
    "Zoë visited Zürich and São Paulo — the café was lovely!",
    "",
]
RERANK_LONG_QUERY = ("In Python, what is the most idiomatic way to remove every occurrence of a value from a list "
                     "while iterating over it, without skipping elements or building a second list by hand, "
                     "and is it fast?")  # ~40 tokens: more than half of 61, so longest_first cuts it too
RERANK_TOO_LONG_QUERY = " ".join(["Which list method removes an item?"] * 9)  # more than 61 tokens
RERANK_MAX = 64
# (query, truncation) cases; the golden records ids, logits, scores and order, or the tokenizer's error.
RERANK_CASES = [(RERANK_QUERY, "only_second"), (RERANK_QUERY, "longest_first"),
                (RERANK_LONG_QUERY, "only_second"), (RERANK_LONG_QUERY, "longest_first"),
                (RERANK_TOO_LONG_QUERY, "only_second"), (RERANK_TOO_LONG_QUERY, "longest_first")]

# Tokenizer-level pair truncation on the bundled tokenizer: (text, text_pair) x strategy x max_length.
PAIR_TEXTS = [
    ("Short.", "Use list.remove(x) to delete the first item equal to x."),
    ("Marie Curie moved from Warsaw to Paris, where she studied physics and chemistry at the Sorbonne.", "Short."),
    ("Zoë visited Zürich and São Paulo — the café was lovely!", "日本語のテキストと emoji 🎉 with  two  spaces"),
    (TEXTS[4], TEXTS[1]),
    ("", "An empty first text."),
    ("An empty second text.", ""),
    ("Who created Python?", None),
]
PAIR_MAX_LENGTHS = [0, 1, 2, 3, 4, 5, 7, 8, 12, 16, 17, 24, 31, 40, 64, 512]
PAIR_CLASSIFY_MAX = 20  # short enough that the strategies differ (and only_first/only_second raise) on PAIR_TEXTS


def link_tokenizer(out_dir):
    for f in ("tokenizer.json", "tokenizer_config.json"):
        dst = os.path.join(out_dir, f)
        if os.path.lexists(dst):
            os.remove(dst)
        os.symlink(os.path.relpath(os.path.join(BUNDLED, f), out_dir), dst)


def save_f16(model, out_dir):
    """Round every weight through f16 (so the fp32 reference runs on what is stored) and save as F16."""
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())
    model.save_pretrained(out_dir, safe_serialization=True)
    state = {k: v.detach().half().contiguous() for k, v in model.state_dict().items()}
    for f in os.listdir(out_dir):
        if f.startswith("model") and f.endswith(".safetensors"):
            os.remove(os.path.join(out_dir, f))
    save_file(state, os.path.join(out_dir, "model.safetensors"), metadata={"format": "pt"})


def spread_logits(model, tok, target_std=3.0):
    """A random encoder pools every text to nearly the same vector, so every text gets the same label.
    Re-centre the classifier on the fixture texts and scale it: logits' = k * (logits - mean over texts)."""
    with torch.no_grad():
        logits = torch.stack([model(**tok(t, return_tensors="pt")).logits[0] for t in TEXTS])
        k = target_std / max((logits - logits.mean(0)).std().item(), 1e-6)
        # A large k would amplify rounding noise (logits as differences of large numbers).
        assert k < 30, f"pooled vectors barely depend on the text (scale {k:.0f})"
        model.classifier.bias.sub_(logits.mean(0)).mul_(k)
        model.classifier.weight.mul_(k)


def check_token_margins(model, tok, needed=2e-3):
    """Every decision the four aggregation strategies make must have a clear margin: token argmax,
    word-average argmax, and which token of a word has the highest score (words by the pipeline's
    fallback rule: a token continues a word unless a space is at or just before its start)."""
    for t in TEXTS:
        enc = tok(t, return_tensors="pt", return_offsets_mapping=True, return_special_tokens_mask=True)
        offsets = enc.pop("offset_mapping")[0].tolist()
        special = enc.pop("special_tokens_mask")[0].tolist()
        with torch.no_grad():
            probs = model(**enc).logits[0].softmax(-1).numpy()
        rows = [i for i in range(len(special)) if not special[i]]
        assert margin(probs[rows]) > needed, f"token margin {margin(probs[rows])}"
        words = []
        for i in rows:
            a = offsets[i][0]
            if words and a > 0 and " " not in t[a - 1:a + 1]:
                words[-1].append(i)
            else:
                words.append([i])
        for w in words:
            assert margin(probs[w].mean(0)) > needed, f"word-average margin {margin(probs[w].mean(0))}"
            if len(w) > 1:
                tops = np.sort(probs[w].max(-1))
                assert tops[-1] - tops[-2] > needed, f"word max margin {tops[-1] - tops[-2]}"
        assert probs[rows].max() < 0.9999, "saturated probabilities (ties in float32)"


def floats(x):
    return [float(v) for v in np.asarray(x).reshape(-1)]


def margin(probs):
    s = np.sort(np.asarray(probs), axis=-1)
    return float((s[..., -1] - s[..., -2]).min())


# ---------------------------------------------------------------- question answering (4.x pipeline algorithm)

def qa_pipeline(model, tok, question, context, max_seq_len=384, doc_stride=128, max_answer_len=15):
    max_seq_len = min(tok.model_max_length, max_seq_len)
    doc_stride = min(max_seq_len // 2, doc_stride)
    enc = tok(text=question, text_pair=context, truncation="only_second", max_length=max_seq_len,
              stride=doc_stride, return_overflowing_tokens=True, return_offsets_mapping=True,
              return_special_tokens_mask=True)
    answers = []
    windows = []
    for span in range(len(enc["input_ids"])):
        ids = enc["input_ids"][span]
        seq = enc.sequence_ids(span)
        p_mask = np.array([[tok_seq != 1 for tok_seq in seq]])
        for i, t in enumerate(ids):
            if t == tok.cls_token_id:
                p_mask[0][i] = 0
        with torch.no_grad():
            out = model(input_ids=torch.tensor([ids]))
        start, end = out.start_logits.numpy(), out.end_logits.numpy()
        starts, ends, scores, _ = select_starts_ends(start, end, p_mask, np.ones((1, len(ids)), dtype=int),
                                                     top_k=1, max_answer_len=max_answer_len)
        e = enc[span]
        windows.append(dict(input_ids=ids))
        for s, en, score in zip(starts, ends, scores):
            s, en = int(s), int(en)
            try:
                sw, ew = e.token_to_word(s), e.token_to_word(en)
                a = e.word_to_chars(sw, sequence_index=1)[0]
                b = e.word_to_chars(ew, sequence_index=1)[1]
            except Exception:
                a, b = e.offsets[s][0], e.offsets[en][1]
            answers.append(dict(score=float(score), start=a, end=b, answer=context[a:b], window=span,
                                start_token=s, end_token=en))
    answers.sort(key=lambda x: x["score"], reverse=True)
    return answers[0], windows


# ---------------------------------------------------------------- fixtures

def build_fixture(spec, seed):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    cfg = dict(SMALL)
    cfg.update(spec["cfg"])
    if "id2label" in cfg:
        cfg["label2id"] = {v: k for k, v in cfg["id2label"].items()}
    model = spec["cls"](ModernBertConfig(**cfg)).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                p.add_(0.2 * torch.randn(p.shape, generator=gen))
            elif name.endswith("bias"):
                p.add_(0.05 * torch.randn(p.shape, generator=gen))
            if name.startswith("classifier.") and spec["cls"] is ModernBertForQuestionAnswering:
                p.mul_(SHARPEN)
    out_dir = os.path.join(OUT, spec["name"])
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    save_f16(model, out_dir)
    link_tokenizer(out_dir)
    tok = AutoTokenizer.from_pretrained(out_dir)
    golden = dict(texts=TEXTS)
    cls = spec["cls"]

    if spec["name"] == "reranker":
        golden.pop("texts")
        spread_pair_logits(model, tok)
        save_f16(model, out_dir)
        golden.update(reranker_golden(model, tok))
    elif cls is ModernBertForSequenceClassification:
        spread_logits(model, tok)
        save_f16(model, out_dir)
        clf = pipeline("text-classification", model=model, tokenizer=tok, device="cpu", top_k=None)
        results = clf(TEXTS)
        # top_k=None sorts by score; keep the pipeline's order and also the raw logits for diagnosis
        golden["pipeline"] = [[dict(label=r["label"], score=float(r["score"])) for r in res] for res in results]
        with torch.no_grad():
            logits = [model(**tok(t, return_tensors="pt")).logits[0].numpy() for t in TEXTS]
        golden["logits"] = [floats(l) for l in logits]
        if spec["cfg"].get("problem_type") == "single_label_classification":
            m = min(margin(torch.tensor(l).softmax(-1).numpy()) for l in logits)
            assert m > 1e-3, f"{spec['name']}: argmax margin {m} too small"
    elif cls is ModernBertForTokenClassification:
        golden["pipeline"] = {}
        for strategy in ("simple", "first", "average", "max"):
            ner = pipeline("token-classification", model=model, tokenizer=tok, device="cpu",
                           aggregation_strategy=strategy)
            golden["pipeline"][strategy] = [
                [dict(entity_group=e["entity_group"], score=float(e["score"]), word=e["word"],
                      start=int(e["start"]), end=int(e["end"])) for e in res] for res in ner(TEXTS)]
        check_token_margins(model, tok)
    elif cls is ModernBertForQuestionAnswering:
        golden.pop("texts")
        golden["cases"] = []
        for case in QA_CASES:
            kwargs = {k: case[k] for k in ("max_seq_len", "doc_stride", "max_answer_len") if k in case}
            best, windows = qa_pipeline(model, tok, case["question"], case["context"], **kwargs)
            golden["cases"].append(dict(case, expected=best, windows=windows))
    elif cls is ModernBertModel:
        write_sentence_transformers(out_dir, cfg["hidden_size"])
        with torch.no_grad():
            embs = []
            for t in TEXTS:
                enc = tok(t, return_tensors="pt")
                h = model(**enc).last_hidden_state[0]
                mask = enc["attention_mask"][0].unsqueeze(-1).float()
                mean = (h * mask).sum(0) / mask.sum().clamp(min=1e-9)
                embs.append(torch.nn.functional.normalize(mean, p=2, dim=0))
            e = torch.stack(embs)
        golden["embeddings"] = [floats(v) for v in e]
        golden["similarity"] = [floats(r) for r in (e @ e.T)]  # cosine of unit vectors
    json.dump(golden, open(os.path.join(out_dir, "golden.json"), "w"), indent=1, ensure_ascii=False)
    size = sum(os.path.getsize(os.path.join(out_dir, f)) for f in os.listdir(out_dir)
               if not os.path.islink(os.path.join(out_dir, f)) and os.path.isfile(os.path.join(out_dir, f)))
    print(f"{spec['name']}: {cls.__name__} {size / 1e6:.1f} MB")


def tok_pair(tok, text, pair, **kwargs):
    """tokenizer([text], [pair], ...)[0]: the batched call, as sentence-transformers' CrossEncoder makes it. It
    keeps an empty text_pair as an empty second segment ([CLS] a [SEP] [SEP]), as `tokenizers` and
    text-embeddings-inference do; the unbatched tokenizer(text, "") drops it (its `if text_pair` test)."""
    enc = tok([text], None if pair is None else [pair], **kwargs)
    return {k: v[0] for k, v in enc.items()}


def encode_pair(tok, query, doc, truncation):
    """tokenizer([query], [doc], truncation=..., max_length=RERANK_MAX), or the error it raises."""
    try:
        return tok_pair(tok, query, doc, truncation=truncation, max_length=RERANK_MAX), None
    except Exception as e:  # tokenizers raises a plain Exception with its TruncationError message
        return None, str(e)


def spread_pair_logits(model, tok, target_std=2.0):
    """Like spread_logits, on the (query, document) pairs of the first case: one logit per pair."""
    with torch.no_grad():
        logits = torch.stack([model(input_ids=torch.tensor([encode_pair(tok, RERANK_QUERY, d, "only_second")[0]["input_ids"]]))
                              .logits[0] for d in RERANK_DOCS])
        k = target_std / max((logits - logits.mean(0)).std().item(), 1e-6)
        assert k < 30, f"pooled vectors barely depend on the pair (scale {k:.0f})"
        model.classifier.bias.sub_(logits.mean(0)).mul_(k)
        model.classifier.weight.mul_(k)


def reranker_golden(model, tok):
    """Per case: each pair's ids, logit, sigmoid score, truncation flag, and the ranking (score desc,
    ties by index: a stable sort, as text-embeddings-inference's); or the tokenizer's error. Plus what
    pipeline("text-classification") gives for {"text", "text_pair"} inputs (sigmoid: one label)."""
    cases = []
    for query, truncation in RERANK_CASES:
        case = dict(query=query, documents=RERANK_DOCS, truncation=truncation, max_length=RERANK_MAX)
        encs = [encode_pair(tok, query, d, truncation) for d in RERANK_DOCS]
        errors = [e for _, e in encs if e is not None]
        if errors:
            case["error"] = errors[0]
            case["error_index"] = next(i for i, (_, e) in enumerate(encs) if e is not None)
            cases.append(case)
            continue
        ids = [e["input_ids"] for e, _ in encs]
        full = [len(tok_pair(tok, query, d)["input_ids"]) for d in RERANK_DOCS]
        with torch.no_grad():
            logits = [model(input_ids=torch.tensor([i])).logits[0].numpy() for i in ids]
        scores = [float(torch.sigmoid(torch.tensor(l[0], dtype=torch.float64))) for l in logits]
        order = sorted(range(len(scores)), key=lambda i: -scores[i])
        gaps = [scores[order[i]] - scores[order[i + 1]] for i in range(len(order) - 1)]
        assert min(gaps) > 1e-3, f"reranker: score gap {min(gaps)} too small for a meaningful order"
        case.update(input_ids=ids, logits=[floats(l) for l in logits], scores=scores, order=order,
                    truncated=[len(i) < n for i, n in zip(ids, full)])
        cases.append(case)
    clf = pipeline("text-classification", model=model, tokenizer=tok, device="cpu", top_k=None)
    # The pipeline tokenizes one input at a time, which drops an empty text_pair (see tok_pair): not compared.
    inputs = [dict(text=RERANK_QUERY, text_pair=d) for d in RERANK_DOCS if d]
    results = clf(inputs, truncation="longest_first", max_length=RERANK_MAX)
    pipe = dict(inputs=inputs, truncation="longest_first",
                results=[[dict(label=r["label"], score=float(r["score"])) for r in res] for res in results])
    return dict(cases=cases, pipeline=pipe)


def build_pair_classification():
    """pipeline("text-classification") on text pairs with the committed seqcls-single weights (softmax over
    three labels), in each truncation strategy at max_length PAIR_CLASSIFY_MAX -> seqcls-single/pairs.json."""
    out_dir = os.path.join(OUT, "seqcls-single")
    tok = AutoTokenizer.from_pretrained(out_dir)
    model = ModernBertForSequenceClassification.from_pretrained(out_dir, dtype=torch.float32,
                                                                attn_implementation="eager").eval()
    clf = pipeline("text-classification", model=model, tokenizer=tok, device="cpu", top_k=None)
    inputs = [dict(text=a, text_pair=b) for a, b in PAIR_TEXTS if b]  # unbatched: no empty text_pair (tok_pair)
    out = dict(inputs=inputs, max_length=PAIR_CLASSIFY_MAX, strategies={})
    for strategy in ("longest_first", "only_second", "only_first"):
        rows = []
        for x in inputs:
            try:
                res = clf(x, truncation=strategy, max_length=PAIR_CLASSIFY_MAX)
                res = res[0] if isinstance(res[0], list) else res
                rows.append(dict(results=[dict(label=r["label"], score=float(r["score"])) for r in res]))
            except Exception as e:
                rows.append(dict(error=str(e)))
        out["strategies"][strategy] = rows
    json.dump(out, open(os.path.join(out_dir, "pairs.json"), "w"), indent=1, ensure_ascii=False)
    print("seqcls-single/pairs.json: text-classification pipeline on pairs, three truncation strategies")


def build_pair_truncation():
    """The bundled tokenizer's tokenizer([text], [text_pair], truncation=s, max_length=n): ids and offsets, or
    the error it raises -> pair-truncation.json."""
    tok = AutoTokenizer.from_pretrained(BUNDLED)
    cases = []
    for text, pair in PAIR_TEXTS:
        for strategy in ("longest_first", "only_first", "only_second"):
            for n in PAIR_MAX_LENGTHS:
                case = dict(text=text, text_pair=pair, truncation=strategy, max_length=n)
                try:
                    enc = tok_pair(tok, text, pair, truncation=strategy, max_length=n, return_offsets_mapping=True)
                    case.update(ids=enc["input_ids"], offsets=[list(o) for o in enc["offset_mapping"]])
                except Exception as e:
                    case["error"] = str(e)
                cases.append(case)
    json.dump(dict(cases=cases), open(os.path.join(OUT, "pair-truncation.json"), "w"), indent=0, ensure_ascii=False)
    print(f"pair-truncation.json: {len(cases)} cases, {sum('error' in c for c in cases)} of them errors")


def write_sentence_transformers(out_dir, dim):
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ]
    json.dump(modules, open(os.path.join(out_dir, "modules.json"), "w"), indent=2)
    os.makedirs(os.path.join(out_dir, "1_Pooling"))
    json.dump({"word_embedding_dimension": dim, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
               "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False,
               "pooling_mode_weightedmean_tokens": False, "pooling_mode_lasttoken": False, "include_prompt": True},
              open(os.path.join(out_dir, "1_Pooling", "config.json"), "w"), indent=2)
    json.dump({"max_seq_length": 512, "do_lower_case": False},
              open(os.path.join(out_dir, "sentence_bert_config.json"), "w"), indent=2)
    json.dump({"similarity_fn_name": "cosine", "prompts": {}, "default_prompt_name": None},
              open(os.path.join(out_dir, "config_sentence_transformers.json"), "w"), indent=2)


# ---------------------------------------------------------------- bundled trained model

FILL_MASK = [
    "A list is a mutable [MASK].",
    "The [MASK] statement is used to leave a [MASK] early.",
    "Use a [MASK] to map keys to values.",
]
ZERO_SHOT = dict(
    template="{text} This sentence is about [MASK].",
    labels=["lists", "strings", "dictionaries", "exceptions", "regular expressions"],
    texts=["Use append to add an item to the end.", "The split method breaks text at whitespace.",
           "A KeyError is raised when a key is missing.", "The pattern matches one or more digits."],
)
EMBED_TEXTS = ["A list is a mutable sequence.", "Tuples are immutable.", "The for statement iterates over items."]


def zero_shot_scores(model, tok, text, template, labels):
    prompt = template.replace("{text}", text)
    ids = tok(prompt)["input_ids"]
    pos = ids.index(tok.mask_token_id)
    before = prompt[:prompt.index(tok.mask_token)]
    space = " " if before.endswith((" ", "\t", "\n")) else ""
    scores = []
    for label in labels:
        words = tok(space + label, add_special_tokens=False)["input_ids"]
        filled = ids[:pos] + [tok.mask_token_id] * len(words) + ids[pos + 1:]
        with torch.no_grad():
            logp = model(input_ids=torch.tensor([filled])).logits[0].log_softmax(-1)
        scores.append(float(np.mean([logp[pos + i, w].item() for i, w in enumerate(words)])))
    probs = torch.tensor(scores, dtype=torch.float64).softmax(-1)
    return dict(label_tokens=[tok(space + l, add_special_tokens=False)["input_ids"] for l in labels],
                log_probs=scores, scores=[float(p) for p in probs])


def build_bundled():
    tok = AutoTokenizer.from_pretrained(BUNDLED)
    model = ModernBertForMaskedLM.from_pretrained(BUNDLED, attn_implementation="eager").float().eval()
    fm = pipeline("fill-mask", model=model, tokenizer=tok, device="cpu", top_k=5)
    fill = []
    for t in FILL_MASK:
        res = fm(t)
        rows = res if isinstance(res[0], list) else [res]
        fill.append(dict(text=t, masks=[[dict(score=float(r["score"]), token=int(r["token"]),
                                              token_str=r["token_str"]) for r in row] for row in rows]))
    zs = [dict(text=t, **zero_shot_scores(model, tok, t, ZERO_SHOT["template"], ZERO_SHOT["labels"]))
          for t in ZERO_SHOT["texts"]]
    with torch.no_grad():
        cls_emb = [floats(model.model(**tok(t, return_tensors="pt")).last_hidden_state[0, 0]) for t in EMBED_TEXTS]
    golden = dict(fill_mask=fill, zero_shot=dict(template=ZERO_SHOT["template"], labels=ZERO_SHOT["labels"], cases=zs),
                  cls_embeddings=dict(texts=EMBED_TEXTS, vectors=cls_emb))
    json.dump(golden, open(os.path.join(OUT, "mini-pydocs-tasks.json"), "w"), indent=1, ensure_ascii=False)
    print("mini-pydocs-tasks.json: fill-mask, zero-shot, CLS embeddings on the bundled model")


def build_all(seed, only=None, **_):
    """Every fixture, or only those named in `only` (a fixture's seed depends on its position in FIXTURES,
    so one rebuilt alone is the same as in a full run)."""
    os.makedirs(OUT, exist_ok=True)
    for k, spec in enumerate(FIXTURES):
        if only and spec["name"] not in only:
            continue
        for attempt in range(40):  # a new random init until every compared decision has a clear margin
            try:
                build_fixture(spec, seed + 100 + k + 1000 * attempt)
                break
            except AssertionError as e:
                print(f"  {e}; trying another seed")
        else:
            raise SystemExit(f"{spec['name']}: no seed gave clear margins")
    if not only or "pairs" in only:
        build_pair_classification()
        build_pair_truncation()
    if not only or "bundled" in only:
        build_bundled()
