import Foundation
import XCTest
import MBTokenizer

final class TokenizerTests: XCTestCase {
    let tokenizer = Fixtures.tokenizer

    func testKnownSentences() {
        XCTAssertEqual(tokenizer.encode("The capital of Nova Scotia is Halifax.").ids,
                       [50281, 510, 5347, 273, 30947, 47138, 310, 14449, 41653, 15, 50282])
        let masked = tokenizer.encode("The capital of France is [MASK].")
        XCTAssertEqual(masked.ids, [50281, 510, 5347, 273, 6181, 310, 50284, 15, 50282])
        // [MASK] has lstrip: it swallows the space before it.
        XCTAssertEqual(masked.offsets[6], TokenOffset(start: 24, end: 31))
        XCTAssertEqual(masked.offsets.first, TokenOffset(start: 0, end: 0))
        XCTAssertEqual(masked.specialTokensMask, [true, false, false, false, false, false, false, false, true])
    }

    func testSpecialTokenIds() {
        XCTAssertEqual(tokenizer.specialTokens.cls, 50281)
        XCTAssertEqual(tokenizer.specialTokens.sep, 50282)
        XCTAssertEqual(tokenizer.specialTokens.pad, 50283)
        XCTAssertEqual(tokenizer.specialTokens.mask, 50284)
        XCTAssertEqual(tokenizer.specialTokens.unk, 50280)
        XCTAssertEqual(tokenizer.vocabSize, 50368)
        XCTAssertEqual(tokenizer.id(forToken: "[MASK]"), 50284)
        XCTAssertEqual(tokenizer.id(forToken: "Ġcapital"), 5347)
        XCTAssertEqual(tokenizer.token(forId: 5347), "Ġcapital")
        XCTAssertNil(tokenizer.token(forId: 1_000_000))
    }

    func testPair() {
        let e = tokenizer.encode("hello world", pair: "second one")
        XCTAssertEqual(e.ids.first, 50281)
        XCTAssertEqual(e.ids.filter { $0 == 50282 }.count, 2)
        XCTAssertEqual(e.sequenceIds.compactMap { $0 }, [0, 0, 1, 1])
        XCTAssertEqual(e.offsets.map(\.start), [0, 0, 5, 0, 0, 6, 0])
        XCTAssertEqual(e.typeIds, [Int32](repeating: 0, count: e.count))
    }

    func testTruncation() {
        let long = String(repeating: "word ", count: 50)
        XCTAssertEqual(tokenizer.encode(long, maxLength: 10).count, 10)
        XCTAssertEqual(tokenizer.encode(long, maxLength: 10).ids.last, 50282)
        // Longest first: the short sequence stays whole when the long one can absorb the cut.
        let pair = tokenizer.encode(long, pair: "a b", maxLength: 12)
        XCTAssertEqual(pair.count, 12)
        XCTAssertEqual(pair.sequenceIds.filter { $0 == 1 }.count, 2)
        // A limit below the template size leaves the input alone, as in Hugging Face.
        XCTAssertEqual(tokenizer.encode("a b c", maxLength: 1).count, 5)
        XCTAssertEqual(tokenizer.encode("a b c", addSpecialTokens: false, maxLength: 2).ids, [66, 270])
    }

    func testDecodeRoundTrip() {
        for text in ["The capital of France is Paris.", "naïve café 日本語 😀 e\u{301}", "  spaces\tand\nlines  "] {
            XCTAssertEqual(tokenizer.decode(tokenizer.encode(text).ids), text.precomposedStringWithCanonicalMapping)
        }
        let ids = tokenizer.encode("is [MASK].").ids
        XCTAssertEqual(tokenizer.decode(ids), "is.")
        XCTAssertEqual(tokenizer.decode(ids, skipSpecialTokens: false), "[CLS]is[MASK].[SEP]")
    }

    func testBatchMatchesSingle() {
        let texts = (0..<200).map { "Text number \($0): \(String(repeating: "ab", count: $0 % 17)) [MASK] é" }
        let batch = tokenizer.encodeBatch(texts, maxLength: 16)
        XCTAssertEqual(batch, texts.map { tokenizer.encode($0, maxLength: 16) })
    }

    func testEmptyText() {
        XCTAssertEqual(tokenizer.encode("").ids, [50281, 50282])
        XCTAssertEqual(tokenizer.encode("", addSpecialTokens: false).ids, [])
    }
}
