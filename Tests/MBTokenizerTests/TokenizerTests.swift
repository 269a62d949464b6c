import Foundation
import XCTest
import MBTokenizer

/// Named behaviours of the fixture tokenizer. Every expected id, offset and string comes from
/// `Fixtures/named-cases.json` (Scripts/make_tokenizer_cases.py, Hugging Face `tokenizers`).
final class TokenizerTests: XCTestCase {
    let tokenizer = Fixtures.tokenizer
    let golden = NamedCases.shared

    /// Encodes the case as the script did and compares every field of the encoding, and both decodes.
    @discardableResult
    private func check(_ name: String, line: UInt = #line) throws -> (Encoding, NamedCases.Case) {
        let c = try golden.named(name)
        let e = tokenizer.encode(c.text, pair: c.pair, addSpecialTokens: c.add_special_tokens, maxLength: c.max_length)
        XCTAssertEqual(e.ids, c.ids, "\(name) ids", line: line)
        XCTAssertEqual(e.offsets, c.tokenOffsets, "\(name) offsets", line: line)
        XCTAssertEqual(e.typeIds, c.type_ids, "\(name) type ids", line: line)
        XCTAssertEqual(e.specialTokensMask, c.special_tokens_mask.map { $0 != 0 }, "\(name) special tokens mask", line: line)
        XCTAssertEqual(e.sequenceIds, c.sequence_ids, "\(name) sequence ids", line: line)
        XCTAssertEqual(tokenizer.decode(e.ids), c.decoded, "\(name) decoded", line: line)
        XCTAssertEqual(tokenizer.decode(e.ids, skipSpecialTokens: false), c.decoded_with_special, "\(name) decoded with special tokens", line: line)
        return (e, c)
    }

    func testKnownSentences() throws {
        try check("nova-scotia")
        let (masked, c) = try check("masked")
        // [MASK] has lstrip: its offsets start at the space before it.
        let mask = try XCTUnwrap(golden.special_tokens["[MASK]"])
        let at = try XCTUnwrap(masked.ids.firstIndex(of: mask))
        let before = c.text.unicodeScalars.distance(from: c.text.unicodeScalars.startIndex,
                                                    to: try XCTUnwrap(c.text.range(of: " [MASK]")).lowerBound)
        XCTAssertEqual(masked.offsets[at], TokenOffset(start: before, end: before + 7))
    }

    func testSpecialTokenIds() {
        XCTAssertEqual(tokenizer.specialTokens.cls, golden.special_tokens["[CLS]"])
        XCTAssertEqual(tokenizer.specialTokens.sep, golden.special_tokens["[SEP]"])
        XCTAssertEqual(tokenizer.specialTokens.pad, golden.special_tokens["[PAD]"])
        XCTAssertEqual(tokenizer.specialTokens.mask, golden.special_tokens["[MASK]"])
        XCTAssertEqual(tokenizer.specialTokens.unk, golden.special_tokens["[UNK]"])
        XCTAssertEqual(tokenizer.vocabSize, golden.vocab_size)
        XCTAssertFalse(golden.tokens.isEmpty)
        for (token, id) in golden.tokens {
            XCTAssertEqual(tokenizer.id(forToken: token), id, token)
            XCTAssertEqual(tokenizer.token(forId: id), token, "\(id)")
        }
        XCTAssertFalse(golden.missing_ids.isEmpty)
        for id in golden.missing_ids { XCTAssertNil(tokenizer.token(forId: id), "\(id)") }
    }

    func testPair() throws {
        try check("pair")
    }

    func testTruncation() throws {
        XCTAssertEqual(try check("truncated").0.count, try golden.named("truncated").max_length)
        // Longest first: the short sequence stays whole when the long one can absorb the cut.
        try check("pair-longest-first")
        // A limit below the template size leaves the input alone, as in Hugging Face.
        try check("limit-below-template")
        try check("truncated-plain")
    }

    func testDecodeRoundTrip() throws {
        for text in ["The capital of France is Paris.", "naïve café 日本語 😀 e\u{301}", "  spaces\tand\nlines  "] {
            XCTAssertEqual(tokenizer.decode(tokenizer.encode(text).ids), text.precomposedStringWithCanonicalMapping)
        }
        // [MASK] swallowed the space before it, so decoding without special tokens drops it too.
        try check("mask-decode")
    }

    func testBatchMatchesSingle() {
        let texts = (0..<200).map { "Text number \($0): \(String(repeating: "ab", count: $0 % 17)) [MASK] é" }
        let batch = tokenizer.encodeBatch(texts, maxLength: 16)
        XCTAssertEqual(batch, texts.map { tokenizer.encode($0, maxLength: 16) })
    }

    func testEmptyText() throws {
        try check("empty")
        try check("empty-plain")
    }
}
