#!/usr/bin/env python3
"""Named tokenizer cases for TokenizerTests and AddedTokenFlagTests, from Hugging Face `tokenizers`.

The random corpus of make_tokenizer_golden.py checks breadth; these few cases pin the behaviours
the unit tests name (a [MASK] that swallows the space before it, pairs, truncation below the
template size, the empty text, decoding with and without special tokens, and the added-token
flags single_word / lstrip / rstrip that the fixture tokenizer.json never turns on). Every
expected value in those tests comes from this file, so they can be regenerated when the fixture
or the reference library changes.

Output (Tests/MBTokenizerTests/Fixtures/named-cases.json):
  {"tokenizers": version,
   "vocab_size": int (with added tokens), "special_tokens": {name: id}, "tokens": {token: id},
   "missing_ids": [ids with no token],
   "cases": [{"name", "text", "pair"?, "max_length"?, "add_special_tokens",
              "ids", "offsets": [[start, end], ...], "type_ids", "special_tokens_mask",
              "sequence_ids" (null for template tokens), "decoded", "decoded_with_special"}],
   "flag_tokens": {content: {flag: true}}  (applied to the fixture's added_tokens),
   "flag_cases": [{"name", "text", "ids", "offsets"}]  (add_special_tokens=False)}

Usage: /work/venv/bin/python Scripts/make_tokenizer_cases.py [--tokenizer path] [--out path]
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "Tests", "MBTokenizerTests", "Fixtures")

LONG = "word " * 50

# (name, text, pair, max_length, add_special_tokens)
CASES = [
    ("nova-scotia", "The capital of Nova Scotia is Halifax.", None, None, True),
    ("masked", "The capital of France is [MASK].", None, None, True),
    ("mask-decode", "is [MASK].", None, None, True),
    ("pair", "hello world", "second one", None, True),
    ("truncated", LONG, None, 10, True),
    ("pair-longest-first", LONG, "a b", 12, True),
    ("limit-below-template", "a b c", None, 1, True),
    ("truncated-plain", "a b c", None, 2, False),
    ("empty", "", None, None, True),
    ("empty-plain", "", None, None, False),
]

# Flags turned on in a copy of the fixture's added_tokens, and texts that exercise them.
FLAG_TOKENS = {
    "[unused5]": {"single_word": True},
    "[PAD]": {"single_word": True},
    "[unused6]": {"rstrip": True},
    "[unused7]": {"lstrip": True, "rstrip": True},
}
FLAG_CASES = [
    ("single-word-spaced", "a [unused5] b"),
    ("single-word-glued-left", "a[unused5] b"),
    ("single-word-after-underscore", "x_[unused5]"),
    ("single-word-pad", "[PAD]x [PAD] 1[PAD]"),
    ("single-word-after-combining-mark", "a\u0301[PAD]"),
    ("rstrip-overlapping-spaces", "a [unused6]   b"),
    ("lstrip-rstrip", "a  [unused7]  b"),
    ("lstrip-rstrip-adjacent", "[unused7][unused7]"),
]

SPECIAL = ["[CLS]", "[SEP]", "[PAD]", "[MASK]", "[UNK]"]
TOKENS = ["Ġcapital", "[MASK]"]


def encode_case(tokenizer_json, text, pair, max_length, add_special):
    from tokenizers import Tokenizer
    tok = Tokenizer.from_str(tokenizer_json)
    if max_length is not None:
        tok.enable_truncation(max_length, strategy="longest_first")
    enc = tok.encode(text, pair, add_special_tokens=add_special)
    return tok, enc


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokenizer", default=os.path.join(FIXTURES, "tokenizer.json"))
    ap.add_argument("--out", default=os.path.join(FIXTURES, "named-cases.json"))
    args = ap.parse_args()

    import tokenizers
    from tokenizers import Tokenizer
    with open(args.tokenizer, encoding="utf-8") as f:
        source = f.read()
    plain = Tokenizer.from_str(source)
    out = {
        "tokenizers": tokenizers.__version__,
        "vocab_size": plain.get_vocab_size(with_added_tokens=True),
        "special_tokens": {name: plain.token_to_id(name) for name in SPECIAL},
        "tokens": {name: plain.token_to_id(name) for name in TOKENS},
        "missing_ids": [i for i in [plain.get_vocab_size(True), 1_000_000] if plain.id_to_token(i) is None],
        "cases": [],
        "flag_tokens": FLAG_TOKENS,
        "flag_cases": [],
    }
    for name, text, pair, max_length, add_special in CASES:
        tok, enc = encode_case(source, text, pair, max_length, add_special)
        case = {"name": name, "text": text, "add_special_tokens": add_special}
        if pair is not None:
            case["pair"] = pair
        if max_length is not None:
            case["max_length"] = max_length
        case.update({
            "ids": enc.ids,
            "offsets": [list(o) for o in enc.offsets],
            "type_ids": enc.type_ids,
            "special_tokens_mask": enc.special_tokens_mask,
            "sequence_ids": enc.sequence_ids,
            "decoded": plain.decode(enc.ids),
            "decoded_with_special": plain.decode(enc.ids, skip_special_tokens=False),
        })
        out["cases"].append(case)

    root = json.loads(source)
    for token in root["added_tokens"]:
        token.update(FLAG_TOKENS.get(token["content"], {}))
    flagged = json.dumps(root)
    for name, text in FLAG_CASES:
        _, enc = encode_case(flagged, text, None, None, False)
        out["flag_cases"].append({"name": name, "text": text, "ids": enc.ids,
                                  "offsets": [list(o) for o in enc.offsets]})

    # One case per line, so a regenerated file diffs case by case.
    def dumps(value):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    lines = []
    for key, value in out.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f" {dumps(key)}: [\n" + ",\n".join("  " + dumps(v) for v in value) + "\n ]")
        else:
            lines.append(f" {dumps(key)}: {dumps(value)}")
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("{\n" + ",\n".join(lines) + "\n}\n")
    print(f"wrote {len(out['cases'])} cases and {len(out['flag_cases'])} flag cases to {args.out} "
          f"(tokenizers {tokenizers.__version__})", file=sys.stderr)


if __name__ == "__main__":
    main()
