#!/usr/bin/env python3
"""Train small tokenizers of the kinds ModernBERT relatives ship beyond byte-level BPE, and record
what Hugging Face `tokenizers` makes of a varied set of texts with them, for MBTokenizerTests.

No Gemma, Llama or mmBERT tokenizer file can be downloaded here, so each family is trained with the
`tokenizers` library itself on a generated multilingual corpus (built-in sentences in 20 scripts
plus pseudo-words drawn from each script's letters, deterministic for a seed), then shaped like the
real files (byte-fallback tokens in the vocabulary, no pre-tokenizer for SentencePiece-style BPE):

  gemma             Replace(" ", "▁") normalizer, no pre-tokenizer, BPE with byte_fallback and fuse_unk,
                    decoders Replace/ByteFallback/Fuse (Gemma, mmBERT)
  llama             Prepend("▁") + Replace normalizers, byte_fallback, decoders Replace/ByteFallback/Fuse/Strip
  metaspace-first   NFKD, Metaspace pre-tokenizer and decoder, prepend_scheme "first", unk + fuse_unk
  metaspace-always  NFC + Strip(left), Metaspace "always", split false
  metaspace-never   NFD + Strip(right), Metaspace "never"
  nfkc-lower-strip  NFKC + Lowercase + Strip, ByteLevel pre-tokenizer with add_prefix_space, ByteLevel decoder
  split             NFC + Replace(regex), Sequence of WhitespaceSplit and Split (string and regex patterns,
                    every behaviour, invert), unknown tokens not fused, no decoder
  regex-bytelevel   GPT-4-style regex Split + ByteLevel(use_regex=false), ignore_merges, ByteLevel decoder
  subword           Lowercase, Whitespace pre-tokenizer, continuing_subword_prefix "##", end_of_word_suffix "</w>"

Outputs (default Tests/MBTokenizerTests/Fixtures/families/):
  <family>.json           the tokenizer (only with --train, the default when the directory has none)
  texts.jsonl             the test texts, one JSON string per line
  <family>.golden.jsonl   one case per line: {"text": i, "pair": j?, "max_length": n?, "ids": [...],
                          "offsets": [s0, e0, ...], "type_ids": [...]? (pairs), "decoded": str}
                          (i, j index texts.jsonl; offsets are Python string indices, as tokenizers reports them)

Usage:
  python3 Scripts/make_tokenizer_family_golden.py --train             # retrain and rewrite the committed fixtures
  python3 Scripts/make_tokenizer_family_golden.py --seed 2 --out /tmp/family-heldout
      # held-out texts for the committed tokenizers; then
      # MB_TOKENIZER_FAMILY_GOLDEN=/tmp/family-heldout swift test -c release -Xswiftc -enable-testing --filter FamilyGolden
  python3 Scripts/make_tokenizer_family_golden.py --large /tmp/large
      # a 262,144-entry Gemma-like vocabulary (synthesized merges) and a golden set for it; then
      # MB_TOKENIZER_LARGE=/tmp/large swift test ... --filter LargeVocabulary
"""
import argparse
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "Tests", "MBTokenizerTests", "Fixtures", "families")

SENTENCES = [
    "The quick brown fox jumps over the lazy dog. It's 3.14159 o'clock, isn't it?",
    "Le cœur a ses raisons que la raison ne connaît point. Où est l'hôtel ?",
    "Über den Wolken muss die Freiheit wohl grenzenlos sein. Straße, Größe, Äpfel.",
    "¿Dónde está la biblioteca? El niño comió piña y jalapeños en Señor Año.",
    "Benim adım İstanbul'da geçti; ığdır, şeker, çiçek, ölü, ünlü.",
    "Tiếng Việt có nhiều dấu: người, được, những, chuyện, thành phố Hồ Chí Minh.",
    "Съешь же ещё этих мягких французских булок, да выпей чаю.",
    "Η γρήγορη καφέ αλεπού πηδά πάνω από τον τεμπέλη σκύλο. ΣΟΦΙΑ σοφίας.",
    "مرحبا بالعالم، هذه جملة عربية للاختبار مع أرقام ١٢٣ وعلامات ترقيم؟",
    "שלום עולם, זה משפט בעברית עם ניקוד: שָׁלוֹם.",
    "हिन्दी एक सुंदर भाषा है। नमस्ते दुनिया, क्षत्रिय और ज्ञान।",
    "বাংলা ভাষা খুব মিষ্টি। আমি তোমাকে ভালোবাসি।",
    "தமிழ் ஒரு பழமையான மொழி. வணக்கம் உலகம்.",
    "ภาษาไทยไม่มีการเว้นวรรคระหว่างคำ สวัสดีชาวโลก",
    "我们今天去公园散步，天气非常好。北京欢迎你！",
    "日本語の文章にはひらがな、カタカナ、漢字が混ざっています。東京タワー。",
    "한국어 문장은 띄어쓰기를 사용합니다. 안녕하세요 세계.",
    "ქართული ენა ძალიან ლამაზია.",
    "Հայերեն լեզուն հին լեզու է։",
    "አማርኛ ቋንቋ በኢትዮጵያ ይነገራል።",
]

# Letters to build pseudo-words from, per script (base letters, then combining or dependent signs).
SCRIPTS = [
    ("abcdefghijklmnopqrstuvwxyz", "éèêëàâäôöûüçñßøåæœ"),
    ("абвгдежзийклмнопрстуфхцчшщыэюя", "ёъь"),
    ("αβγδεζηθικλμνξοπρστυφχψω", "άέήίόύώ"),
    ("ابتثجحخدذرزسشصضطظعغفقكلمنهوي", "ًٌٍَُِّْ"),
    ("אבגדהוזחטיכלמנסעפצקרשת", "ְֱֲֳִֵֶַָֹֻּׁׂ"),
    ("कखगघचछजझटठडढणतथदधनपफबभमयरलवशषसह", "ािीुूेैोौंः्"),
    ("กขคงจฉชซญดตถทนบปผพฟภมยรลวศษสหอฮ", "ะาิีึืุู่้๊๋"),
    ("的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年", ""),
    ("あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん", "゙゚"),
    ("가나다라마바사아자차카타파하거너더러머버서어저처커터퍼허고노도로모보소오조초", ""),
]

EMOJI = ["😀", "👍🏽", "👨‍👩‍👧", "🏳️‍🌈", "🇫🇷", "❤️", "🧑🏿‍💻", "🙂", "🎉", "🤖", "👩🏻‍🔬", "✋🏾"]
ODD = [
    "e\u0301", "o\u0308\u0304", "a\u0323\u0302", "x\u0302\u0323", "\u212b", "\u2126", "\ufb01", "\ufb00", "\u2460",
    "\uff26\uff55\uff4c\uff4c", "\u00b2", "\u00bd", "\u0130", "\u1e9e", "\u03a3", "\u0958", "\u1100\u1161\u11a8",
    "\u00a0", "\u3000", "\u2009", "\u200b", "\u2028", "\u0085", "\x0b", "\x0c", "\r\n", "\t", "\x00", "\ufeff",
    "\U0001d400\U0001d401", "\ue000", "\u13a0\u13a1", "\u0f40\u0f72", "\u1200\u1201", "\U00010400", "\u2603", "\u00e9",
]
WHITESPACE = [" ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \t ", " " * 7, "\u00a0", "\u3000"]


def pseudo_word(rng):
    base, marks = rng.choice(SCRIPTS)
    out = []
    for _ in range(rng.randint(1, 7)):
        out.append(rng.choice(base))
        if marks and rng.random() < 0.3:
            out.append(rng.choice(marks))
    return "".join(out)


def training_corpus(seed):
    rng = random.Random(seed)
    lines = list(SENTENCES) * 20
    for _ in range(3000):
        lines.append(" ".join(pseudo_word(rng) for _ in range(rng.randint(3, 12))))
    rng.shuffle(lines)
    return lines


def test_texts(seed, count, added):
    """Varied texts: real sentences, script mixes, emoji, combining marks, whitespace, unknown characters,
    empty strings, very long words, added tokens."""
    rng = random.Random(seed)
    texts = ["", " ", "a", "\n", "  leading and trailing  ", "\ttab\tseparated\t", "line one\nline two\r\nline three"]
    texts += SENTENCES
    while len(texts) < count:
        kind = rng.randrange(9)
        if kind == 0:
            texts.append(rng.choice(SENTENCES)[: rng.randint(0, 80)])
        elif kind == 1:
            texts.append(" ".join(pseudo_word(rng) for _ in range(rng.randint(1, 10))))
        elif kind == 2:
            texts.append("".join(rng.choice(EMOJI + [" ", "x", "ok"]) for _ in range(rng.randint(1, 8))))
        elif kind == 3:
            texts.append("".join(rng.choice(ODD + [" ", "a", "."]) for _ in range(rng.randint(1, 10))))
        elif kind == 4:
            texts.append("".join(rng.choice(WHITESPACE) + pseudo_word(rng) for _ in range(rng.randint(1, 6))) + rng.choice(WHITESPACE + [""]))
        elif kind == 5:
            unit = rng.choice(["a", "ab", "日", "é", "😀", "-", "9", "ก", "ab1", "▁", "<0x41>"])
            texts.append(rng.choice(["", "pre ", " "]) + unit * rng.randint(20, 90) + rng.choice(["", " post", "."]))
        elif kind == 6:
            parts = []
            for _ in range(rng.randint(1, 6)):
                parts.append(rng.choice(added + ["word", "New York", "is", ".", "x"]))
                parts.append(rng.choice(["", " ", "  ", "\n"]))
            texts.append("".join(parts))
        elif kind == 7:
            words = ["state-of-the-art", "e-mail", "1234567", "3.14", "x--y", "a|b", "don't", "I'LL", "rock'n'roll",
                     "https://example.com/a-b?c=1", "$12,345.67", "...", "¿¡", "C++", "it's"]
            texts.append(" ".join(rng.choice(words) for _ in range(rng.randint(1, 8))))
        else:
            lo, hi = rng.choice([(0x20, 0x7E), (0xA0, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF), (0x590, 0x6FF),
                                 (0x900, 0x97F), (0xE00, 0xE7F), (0x3040, 0x30FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3),
                                 (0x1F300, 0x1FAFF), (0x2000, 0x206F), (0x300, 0x36F), (0xFF00, 0xFFEF)])
            texts.append("".join(chr(rng.randint(lo, hi)) if rng.random() < 0.85 else rng.choice(" .a\n")
                                 for _ in range(rng.randint(1, 30))))
    return texts[:count]


# ---------------------------------------------------------------------------------------------- training

def trained(normalizer, train_pre, model, trainer_args, specials, vocab_size):
    from tokenizers import Tokenizer, trainers
    tok = Tokenizer(model)
    if normalizer is not None:
        tok.normalizer = normalizer
    if train_pre is not None:
        tok.pre_tokenizer = train_pre
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=specials, show_progress=False, **trainer_args)
    tok.train_from_iterator(training_corpus(7), trainer)
    return json.loads(tok.to_str())


def with_byte_fallback_tokens(spec, first_free):
    """Inserts <0x00>..<0xFF> into the vocabulary after the special tokens, as SentencePiece conversions
    lay it out, shifting the trained tokens."""
    vocab = spec["model"]["vocab"]
    shifted = {}
    for token, i in vocab.items():
        shifted[token] = i if i < first_free else i + 256
    for b in range(256):
        shifted["<0x%02X>" % b] = first_free + b
    spec["model"]["vocab"] = shifted
    return spec


def template(spec, first, last):
    ids = {t["content"]: t["id"] for t in spec["added_tokens"]}
    spec["post_processor"] = {
        "type": "TemplateProcessing",
        "single": [{"SpecialToken": {"id": first, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                   {"SpecialToken": {"id": last, "type_id": 0}}],
        "pair": [{"SpecialToken": {"id": first, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                 {"SpecialToken": {"id": last, "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                 {"SpecialToken": {"id": last, "type_id": 1}}],
        "special_tokens": {first: {"id": first, "ids": [ids[first]], "tokens": [first]},
                           last: {"id": last, "ids": [ids[last]], "tokens": [last]}},
    }
    return spec


def add_tokens(spec, extra):
    """Appends added tokens (with the flags given) after the current largest id."""
    next_id = max(max(spec["model"]["vocab"].values()), max(t["id"] for t in spec["added_tokens"])) + 1
    for content, flags in extra:
        entry = {"id": next_id, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
                 "normalized": False, "special": False}
        entry.update(flags)
        spec["added_tokens"].append(entry)
        next_id += 1
    return spec


def lstrip_mask(spec, name):
    for t in spec["added_tokens"]:
        if t["content"] == name:
            t["lstrip"] = True
    return spec


GPT4_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                r"|\s*[\r\n]+|\s+(?!\S)|\s+")


def build_family(name):
    from tokenizers import Regex, models, normalizers as N, pre_tokenizers as P
    sp_specials = ["<pad>", "<eos>", "<bos>", "<unk>", "<mask>"]
    extra = [("New York", {"normalized": True}), ("<extra_0>", {"special": True})]
    if name in ("gemma", "llama"):
        norm = N.Replace(" ", "▁") if name == "gemma" else N.Sequence([N.Prepend("▁"), N.Replace(" ", "▁")])
        spec = trained(norm, P.Metaspace(replacement="▁", prepend_scheme="never", split=True),
                       models.BPE(unk_token="<unk>", fuse_unk=True, byte_fallback=True),
                       {"limit_alphabet": 350}, sp_specials, 900)
        spec = with_byte_fallback_tokens(spec, len(sp_specials))
        spec["pre_tokenizer"] = None
        decs = [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"}]
        if name == "llama":
            decs.append({"type": "Strip", "content": " ", "start": 1, "stop": 0})
        spec["decoder"] = {"type": "Sequence", "decoders": decs}
        return template(lstrip_mask(add_tokens(spec, extra), "<mask>"), "<bos>", "<eos>")
    if name.startswith("metaspace-"):
        scheme = name.split("-")[1]
        norm = {"first": N.NFKD(), "always": N.Sequence([N.NFC(), N.Strip(left=True, right=False)]),
                "never": N.Sequence([N.NFD(), N.Strip(left=False, right=True)])}[scheme]
        pre = P.Metaspace(replacement="▁", prepend_scheme=scheme, split=scheme != "always")
        spec = trained(norm, pre, models.BPE(unk_token="<unk>", fuse_unk=True), {"limit_alphabet": 250}, sp_specials, 700)
        spec["decoder"] = {"type": "Metaspace", "replacement": "▁", "prepend_scheme": scheme, "split": scheme != "always"}
        return template(add_tokens(spec, extra), "<bos>", "<eos>")
    if name == "nfkc-lower-strip":
        norm = N.Sequence([N.NFKC(), N.Lowercase(), N.Strip()])
        pre = P.ByteLevel(add_prefix_space=True, use_regex=True)
        spec = trained(norm, pre, models.BPE(), {"initial_alphabet": P.ByteLevel.alphabet()}, ["[CLS]", "[SEP]", "[MASK]"], 700)
        spec["decoder"] = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True}
        return template(lstrip_mask(add_tokens(spec, extra), "[MASK]"), "[CLS]", "[SEP]")
    if name == "split":
        norm = N.Sequence([N.NFC(), N.Replace(Regex(r"\s{2,}"), " ")])
        pre = P.Sequence([
            P.WhitespaceSplit(),
            P.Split(Regex(r"\p{N}{1,3}"), behavior="isolated"),
            P.Split("-", behavior="merged_with_next"),
            P.Split(Regex(r"[^\w\s]"), behavior="merged_with_previous"),
            P.Split("'", behavior="contiguous"),
            P.Split(Regex(r"\|"), behavior="removed"),
            P.Split(Regex(r"[\p{L}\p{M}]+"), behavior="merged_with_next", invert=True),
        ])
        spec = trained(norm, pre, models.BPE(unk_token="[UNK]", fuse_unk=False), {"limit_alphabet": 250},
                       ["[UNK]", "[CLS]", "[SEP]"], 700)
        spec["decoder"] = None
        return template(add_tokens(spec, extra), "[CLS]", "[SEP]")
    if name == "regex-bytelevel":
        pre = P.Sequence([P.Split(Regex(GPT4_PATTERN), behavior="isolated"),
                          P.ByteLevel(add_prefix_space=False, use_regex=False)])
        spec = trained(N.NFC(), pre, models.BPE(ignore_merges=True), {"initial_alphabet": P.ByteLevel.alphabet()},
                       ["<|begin_of_text|>", "<|end_of_text|>"], 800)
        spec["model"]["ignore_merges"] = True
        spec["decoder"] = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
        return template(add_tokens(spec, extra), "<|begin_of_text|>", "<|end_of_text|>")
    if name == "subword":
        spec = trained(N.Lowercase(), P.Whitespace(),
                       models.BPE(unk_token="[UNK]", continuing_subword_prefix="##", end_of_word_suffix="</w>"),
                       {"limit_alphabet": 150, "continuing_subword_prefix": "##", "end_of_word_suffix": "</w>"},
                       ["[UNK]", "[CLS]", "[SEP]"], 1400)
        spec["decoder"] = None
        return template(add_tokens(spec, extra), "[CLS]", "[SEP]")
    raise ValueError(name)


FAMILIES = ["gemma", "llama", "metaspace-first", "metaspace-always", "metaspace-never", "nfkc-lower-strip",
            "split", "regex-bytelevel", "subword"]


# ---------------------------------------------------------------------------------------------- golden

def golden_cases(tok, texts, seed, added):
    rng = random.Random(seed * 1000 + 17)
    truncating = tok.__class__.from_str(tok.to_str())
    cases = []
    for i, text in enumerate(texts):
        case = {"text": i}
        if rng.random() < 0.2:
            case["pair"] = rng.randrange(len(texts))
        if rng.random() < 0.15:
            case["max_length"] = rng.choice([2, 3, 4, 5, 8, 16, rng.randint(3, 200)])
        t = tok
        if "max_length" in case:
            t = truncating
            t.enable_truncation(case["max_length"], strategy="longest_first")
        enc = t.encode(text, texts[case["pair"]] if "pair" in case else None)
        case["ids"] = enc.ids
        case["offsets"] = [x for o in enc.offsets for x in o]
        if "pair" in case:
            case["type_ids"] = enc.type_ids
        case["decoded"] = tok.decode(enc.ids)
        cases.append(case)
    return cases


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")


def write_goldens(tokenizer_dir, out, seed, count):
    from tokenizers import Tokenizer
    os.makedirs(out, exist_ok=True)
    added = ["<bos>", "<eos>", "<mask>", "<extra_0>", "[CLS]", "[MASK]", "<|begin_of_text|>", "New York"]
    texts = test_texts(seed, count, added)
    write_jsonl(os.path.join(out, "texts.jsonl"), texts)
    for name in FAMILIES:
        tok = Tokenizer.from_file(os.path.join(tokenizer_dir, name + ".json"))
        cases = golden_cases(tok, texts, seed, added)
        write_jsonl(os.path.join(out, name + ".golden.jsonl"), cases)
        print(f"{name}: {len(cases)} cases, {sum(len(c['ids']) for c in cases)} tokens", file=sys.stderr)


# ---------------------------------------------------------------------------------------------- large

def large_vocabulary(out, size, seed):
    """A Gemma-shaped tokenizer with `size` vocabulary entries: specials, the 256 byte-fallback tokens,
    ~40k single characters, and merges that join random existing tokens (weighted towards short ones)
    until the vocabulary is full. The merges are synthetic but valid BPE, so encoding exercises them."""
    from tokenizers import Tokenizer
    rng = random.Random(seed)
    specials = ["<pad>", "<eos>", "<bos>", "<unk>", "<mask>"]
    vocab = {t: i for i, t in enumerate(specials)}
    for b in range(256):
        vocab["<0x%02X>" % b] = len(vocab)
    chars = ["▁"] + [chr(c) for lo, hi in [(0x21, 0x7E), (0xA1, 0x24F), (0x370, 0x3FF), (0x400, 0x52F), (0x590, 0x6FF),
                                            (0x900, 0x97F), (0x980, 0x9FF), (0xE00, 0xE7F), (0x3041, 0x30FF),
                                            (0xAC00, 0xD7A3), (0x4E00, 0x9FFF)] for c in range(lo, hi + 1)]
    for c in chars:
        vocab.setdefault(c, len(vocab))
    pieces = [c for c in chars[:3000]] + ["▁"] * 200
    merges = []
    while len(vocab) < size:
        left = rng.choice(pieces) if rng.random() < 0.7 else rng.choice(chars)
        right = rng.choice(pieces) if rng.random() < 0.6 else rng.choice(chars[:400])
        if "▁" in right[1:] or len(left) + len(right) > 12:
            continue
        merged = left + right
        if merged in vocab:
            continue
        vocab[merged] = len(vocab)
        merges.append([left, right])
        if len(merged) <= 6:
            pieces.append(merged)
    spec = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for i, t in enumerate(specials)],
        "normalizer": {"type": "Replace", "pattern": {"String": " "}, "content": "▁"},
        "pre_tokenizer": None, "post_processor": None,
        "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
                                                     {"type": "ByteFallback"}, {"type": "Fuse"}]},
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                  "vocab": vocab, "merges": merges},
    }
    spec = template(spec, "<bos>", "<eos>")
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "tokenizer.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(spec, f, ensure_ascii=False)
    tok = Tokenizer.from_file(path)
    rng = random.Random(seed + 1)
    tokens = list(vocab)
    texts = test_texts(seed, 300, [])
    for _ in range(300):
        texts.append("".join(rng.choice(tokens).replace("▁", " ") if rng.random() < 0.8 else rng.choice(ODD + EMOJI)
                             for _ in range(rng.randint(1, 60))))
    write_jsonl(os.path.join(out, "texts.jsonl"), texts)
    write_jsonl(os.path.join(out, "golden.jsonl"), golden_cases(tok, texts, seed, []))
    print(f"large: {len(vocab)} tokens, {len(merges)} merges, {os.path.getsize(path) / 1e6:.1f} MB tokenizer.json, "
          f"{len(texts)} cases in {out}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--out", default=FIXTURES, help="where texts and goldens go")
    ap.add_argument("--tokenizers", default=FIXTURES, help="where the family tokenizers are (or are written with --train)")
    ap.add_argument("--train", action="store_true", help="retrain the family tokenizers first")
    ap.add_argument("--large", metavar="DIR", help="build the 262,144-entry vocabulary and its golden set in DIR instead")
    ap.add_argument("--large-size", type=int, default=262_144)
    args = ap.parse_args()

    if args.large:
        large_vocabulary(args.large, args.large_size, args.seed)
        return
    if args.train or not os.path.exists(os.path.join(args.tokenizers, FAMILIES[0] + ".json")):
        os.makedirs(args.tokenizers, exist_ok=True)
        for name in FAMILIES:
            spec = build_family(name)
            with open(os.path.join(args.tokenizers, name + ".json"), "w", encoding="utf-8") as f:
                json.dump(spec, f, ensure_ascii=False, separators=(",", ":"))
    write_goldens(args.tokenizers, args.out, args.seed, args.count)


if __name__ == "__main__":
    main()
