#!/usr/bin/env python3
"""Build golden tokenizer data for MBTokenizerTests from the Hugging Face `tokenizers` package.

The corpus is built deterministically from a seed, out of text that already exists on a
Debian host (licenses, /usr/share/doc, the Python standard library) plus synthetic cases
aimed at the tokenizer's edges: whitespace runs, emoji and ZWJ sequences, CJK, right-to-left
scripts, combining marks that NFC changes, control characters, very long words, added
tokens glued to words, pairs and truncation.

Each output line is a JSON object:
  {"text": str, "pair": str?, "max_length": int?, "ids": [int], "offsets": [s0, e0, s1, e1, ...],
   "type_ids": [int]? (pairs), "decoded": str? (every fourth case)}
Offsets are Python string indices (Unicode scalars) into the original text, as
`tokenizers.Tokenizer.encode` reports them.

Usage:
  python3 Scripts/make_tokenizer_golden.py                      # committed fixture
  python3 Scripts/make_tokenizer_golden.py --seed 2 --out /tmp/heldout.jsonl
  python3 Scripts/make_tokenizer_golden.py --corpus-only --out /tmp/corpus.jsonl
"""
import argparse
import glob
import gzip
import json
import os
import random
import sys
import sysconfig

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "Tests", "MBTokenizerTests", "Fixtures")

ADDED = ["[MASK]", "[CLS]", "[SEP]", "[PAD]", "[UNK]", "|||IP_ADDRESS|||", "|||EMAIL_ADDRESS|||",
         "|||PHONE_NUMBER|||", "<|endoftext|>", "<|padding|>", "[unused3]", "[unused80]", "[MASK", "|||"]


def read_text(path, limit=400_000):
    try:
        if path.endswith(".gz"):
            with gzip.open(path, "rb") as f:
                data = f.read(limit)
        else:
            with open(path, "rb") as f:
                data = f.read(limit)
    except OSError:
        return None
    if b"\0" in data[:4096]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def prose_sources():
    paths = sorted(glob.glob("/usr/share/common-licenses/*"))
    paths += sorted(glob.glob("/usr/share/doc/**/*", recursive=True))
    return [p for p in paths if os.path.isfile(p) and not os.path.islink(p)]


def code_sources():
    lib = sysconfig.get_paths()["stdlib"]
    return sorted(glob.glob(os.path.join(lib, "*.py")))


def paragraphs(text):
    return [p for p in text.split("\n\n") if p.strip()]


def rand_scalar(rng, lo, hi):
    while True:
        c = rng.randint(lo, hi)
        if not 0xD800 <= c <= 0xDFFF:
            return chr(c)


SCRIPTS = [
    (0x4E00, 0x9FFF), (0x3040, 0x30FF), (0xAC00, 0xD7A3), (0x0600, 0x06FF), (0x05D0, 0x05EA),
    (0x0400, 0x04FF), (0x0370, 0x03FF), (0x0900, 0x097F), (0x0E00, 0x0E7F), (0x1F300, 0x1FAFF),
    (0x2000, 0x206F), (0x0300, 0x036F), (0x1100, 0x11FF), (0xF900, 0xFAFF), (0x20000, 0x2A6DF),
    (0x0000, 0x001F), (0x007F, 0x00FF), (0x2190, 0x22FF), (0xFF00, 0xFFEF), (0x10000, 0x10FFFF),
]

SNIPPETS = [
    "e\u0301", "A\u030A", "\u1100\u1161\u11A8", "\u1112\u1161\u11AB\u1100\u1173\u11AF", "o\u0308\u0304",
    "\u0958", "\u212B", "\u2126", "a\u0323\u0302", "x\u0302\u0323", "\u0b47\u0b3e", "\uf900", "\u0340",
    "\U0001F468\u200D\U0001F469\u200D\U0001F467", "\U0001F44D\U0001F3FD", "\U0001F1EB\U0001F1F7", "\u2764\uFE0F",
    "\u00a0", "\u3000", "\u2028", "\u200b", "\u0085", "\x0b", "\x0c", "\r\n", "\t", "\x00", "\x1b[0m",
    "日本語のテキスト", "中文文本，标点。", "한국어 문장", "مرحبا بالعالم", "שלום עולם", "Привет, мир",
    "Ελληνικά", "हिन्दी", "ภาษาไทย", "١٢٣٤", "½ ² ³ Ⅻ", "ﬁ ﬀ", "café naïve Ångström",
    "it's", "I'LL", "we're", "they've", "'s", "''", "don't'", " 's", "n't",
]


def synthetic(rng):
    kind = rng.randrange(10)
    if kind == 0:  # URLs, emails, paths
        host = rng.choice(["example.com", "huggingface.co", "a.b-c.org", "localhost:8080", "192.168.0.1"])
        path = "/".join(rng.choice(["api", "v1", "models", "ModernBERT-base", "x_y", "%20", "?q=1&r=2", "#frag"])
                        for _ in range(rng.randint(0, 5)))
        return rng.choice(["https://", "http://", "ftp://", "", "mailto:user@"]) + host + "/" + path
    if kind == 1:  # numbers
        parts = [str(rng.randint(0, 10 ** rng.randint(1, 30))), f"{rng.random():.{rng.randint(1, 12)}f}",
                 f"{rng.randint(-999, 999)}e{rng.randint(-30, 30)}", "1,234,567.89", "0x" + "%x" % rng.getrandbits(64),
                 "3.14159", "2024-01-31T12:00:00Z", "+1 (555) 010-0199"]
        return " ".join(rng.choice(parts) for _ in range(rng.randint(1, 8)))
    if kind == 2:  # whitespace runs
        ws = [" ", "  ", "\t", "\n", "\r\n", " " * rng.randint(2, 60), "\t\t", "\n\n\n", "\u00a0", "\u3000", "\u2009"]
        words = ["a", "word", "The", "x1", "!", "[MASK]", "(", "'s", "日本"]
        return "".join(rng.choice(ws) + rng.choice(words) for _ in range(rng.randint(1, 12))) + rng.choice(ws + [""])
    if kind == 3:  # snippets mixed
        return "".join(rng.choice(SNIPPETS) + rng.choice(["", " ", "", "x", "."]) for _ in range(rng.randint(1, 10)))
    if kind == 4:  # random scalars from script ranges
        lo, hi = rng.choice(SCRIPTS)
        return "".join(rand_scalar(rng, lo, hi) if rng.random() < 0.8 else rng.choice(" .a1\n")
                       for _ in range(rng.randint(1, 40)))
    if kind == 5:  # very long words
        unit = rng.choice(["a", "ab", "xyz", "9", "é", "日", "\U0001F600", "-", "ab1", "Ab"])
        return rng.choice(["", "pre ", " "]) + unit * rng.randint(100, 3000) + rng.choice(["", " post", "."])
    if kind == 6:  # added tokens at edges, glued, spaced
        out = []
        for _ in range(rng.randint(1, 8)):
            out.append(rng.choice(ADDED + ["word", "is", " ", "  ", ".", "x"]))
            out.append(rng.choice(["", " ", "  ", "\t", "\n"]))
        return "".join(out)
    if kind == 7:  # control characters and odd punctuation
        return "".join(rand_scalar(rng, 0, 0x40) if rng.random() < 0.5 else rng.choice(["a", "'", "''", "\"", " "])
                       for _ in range(rng.randint(1, 30)))
    if kind == 8:  # apostrophes and contractions
        return " ".join(rng.choice(["it's", "It'S", "I'm", "you'd", "'re", "we'll", "o'clock", "rock'n'roll",
                                    "''quoted''", "'", "’s", "don’t", "'ve'", "x'LL"]) for _ in range(rng.randint(1, 8)))
    # kind 9: empty-ish
    return rng.choice(["", " ", "\n", "  ", "[MASK]", " [MASK] ", "\t[SEP]\t", "a", ".", "\u0301", "\u0301a"])


def mutate(rng, text):
    """Insert added tokens and odd characters into real text at random places."""
    if not text:
        return text
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        pos = rng.randint(0, len(chars))
        chars.insert(pos, rng.choice(ADDED + SNIPPETS))
    return "".join(chars)


def build_corpus(seed, count):
    rng = random.Random(seed)
    prose = []
    for p in prose_sources():
        t = read_text(p)
        if t:
            prose.extend(paragraphs(t))
    code = []
    for p in code_sources():
        t = read_text(p)
        if t:
            lines = t.split("\n")
            for i in range(0, len(lines), 12):
                code.append("\n".join(lines[i:i + rng.randint(1, 16)]))
    rng.shuffle(prose)
    rng.shuffle(code)
    texts = []
    while len(texts) < count:
        r = rng.random()
        if r < 0.40:
            t = prose[len(texts) % len(prose)]
            if len(t) > 1200:
                start = rng.randrange(len(t) - 1000)
                t = t[start:start + rng.randint(1, 1000)]
        elif r < 0.60:
            t = code[len(texts) % len(code)]
        elif r < 0.70:
            t = mutate(rng, prose[rng.randrange(len(prose))][:600])
        else:
            t = synthetic(rng)
        texts.append(t)
    return rng, texts


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=10_000)
    ap.add_argument("--tokenizer", default=os.path.join(FIXTURES, "tokenizer.json"))
    ap.add_argument("--out", default=os.path.join(FIXTURES, "golden.jsonl"))
    ap.add_argument("--corpus-only", action="store_true", help="write the texts as JSON strings, one per line")
    args = ap.parse_args()

    rng, texts = build_corpus(args.seed, args.count)
    if args.corpus_only:
        with open(args.out, "w", encoding="utf-8") as f:
            for t in texts:
                f.write(json.dumps(t) + "\n")
        print(f"wrote {len(texts)} texts to {args.out}", file=sys.stderr)
        return

    from tokenizers import Tokenizer
    plain = Tokenizer.from_file(args.tokenizer)
    truncating = Tokenizer.from_file(args.tokenizer)
    cases = 0
    with open(args.out, "w", encoding="utf-8") as f:
        for i, text in enumerate(texts):
            case = {"text": text}
            r = rng.random()
            if r < 0.2:
                case["pair"] = texts[rng.randrange(len(texts))][:rng.randint(0, 400)]
            if rng.random() < 0.2:
                case["max_length"] = rng.choice([2, 3, 4, 5, 8, 16, 64, rng.randint(3, 600)])
            tok = plain
            if "max_length" in case:
                tok = truncating
                tok.enable_truncation(case["max_length"], strategy="longest_first")
            enc = tok.encode(text, case.get("pair"))
            case["ids"] = enc.ids
            case["offsets"] = [x for o in enc.offsets for x in o]
            if "pair" in case:
                case["type_ids"] = enc.type_ids
            if i % 4 == 0:
                case["decoded"] = plain.decode(enc.ids)
            f.write(json.dumps(case, ensure_ascii=False, separators=(",", ":")) + "\n")
            cases += 1
    print(f"wrote {cases} cases to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
