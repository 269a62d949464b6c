import Foundation
import MBTokenizer
import XCTest

/// `Tokenizer.encode(_:maxLength:truncation:)` against transformers' `tokenizer(text, text_pair,
/// truncation=..., max_length=...)` on the bundled tokenizer: every strategy at limits from 0 (empty)
/// through below the template size (no truncation) to past the input, ids, offsets and errors.
final class PairTruncationGoldenTests: XCTestCase {
    func testEveryStrategyAndLimitMatchesTransformers() throws {
        let tokenizer = try Tokenizer(contentsOf: TaskFixtures.bundledModel)
        let cases = try XCTUnwrap(TaskFixtures.golden("pair-truncation.json")["cases"] as? [[String: Any]])
        XCTAssertGreaterThan(cases.count, 200)
        var errors = 0, truncated = 0
        for c in cases {
            let text = c["text"] as! String, pair = c["text_pair"] as? String
            let strategy = try XCTUnwrap(TruncationStrategy(rawValue: c["truncation"] as! String))
            let maxLength = (c["max_length"] as! NSNumber).intValue
            let label = "\(strategy.rawValue) max \(maxLength) \"\(text.prefix(20))\" + \(pair.map { "\"\($0.prefix(20))\"" } ?? "nil")"
            let input = TokenizerInput(text, pair: pair)
            if let error = c["error"] as? String {
                errors += 1
                XCTAssertThrowsError(try tokenizer.encode(input, maxLength: maxLength, truncation: strategy), label) { thrown in
                    let message = (thrown as? TruncationError)?.description ?? "\(thrown)"
                    XCTAssertTrue(message.hasPrefix(error), "\(label): \(message) vs \(error)")
                }
                continue
            }
            let (encoding, cut) = try tokenizer.encode(input, maxLength: maxLength, truncation: strategy)
            XCTAssertEqual(encoding.ids, (c["ids"] as! [NSNumber]).map(\.int32Value), label)
            let offsets = (c["offsets"] as! [[NSNumber]]).map { TokenOffset(start: $0[0].intValue, end: $0[1].intValue) }
            XCTAssertEqual(encoding.offsets, offsets, label)
            let full = tokenizer.encode(text, pair: pair)
            XCTAssertEqual(cut, encoding.count < full.count, "\(label): truncated flag")
            if cut { truncated += 1 }
        }
        // The set exercises both outcomes, not only the easy one.
        XCTAssertGreaterThan(errors, 20)
        XCTAssertGreaterThan(truncated, 50)
    }

    func testLongestFirstIsTheDefaultEncode() throws {
        let tokenizer = try Tokenizer(contentsOf: TaskFixtures.bundledModel)
        let input = TokenizerInput("Marie Curie moved from Warsaw to Paris.", pair: "She studied physics and chemistry at the Sorbonne.")
        for n in [3, 7, 12, 20] {
            XCTAssertEqual(try tokenizer.encode(input, maxLength: n, truncation: .longestFirst).encoding,
                           tokenizer.encode(input.text, pair: input.pair, maxLength: n))
        }
    }
}
