import Foundation
import MBRuntime
import XCTest

/// TokenClassifier against pipeline("token-classification", aggregation_strategy=...) on the tokcls fixture.
final class TokenClassificationGoldenTests: XCTestCase {
    func testSimple() throws { try check(.simple) }
    func testFirst() throws { try check(.first) }
    func testAverage() throws { try check(.average) }
    func testMax() throws { try check(.max) }

    private func check(_ aggregation: TokenClassifier.Aggregation) throws {
        let golden = try TaskFixtures.golden("tokcls")
        let texts = try XCTUnwrap(golden["texts"] as? [String])
        let expected = try XCTUnwrap((golden["pipeline"] as? [String: Any])?[aggregation.rawValue] as? [[[String: Any]]])
        let ner = try TokenClassifier(model: TaskFixtures.model("tokcls"), aggregation: aggregation)
        let results = try ner.recognize(texts)
        XCTAssertFalse(texts.isEmpty)
        XCTAssertEqual(expected.count, texts.count, "golden \(aggregation)")
        XCTAssertEqual(results.count, texts.count, "\(aggregation)")
        var compared = 0
        for (i, (result, ref)) in zip(results, expected).enumerated() {
            XCTAssertEqual(result.entities.count, ref.count, "\(aggregation) text \(i): \(result.entities.map(\.word)) vs \(ref.map { $0["word"]! })")
            for (ours, r) in zip(result.entities, ref) {
                XCTAssertEqual(ours.label, r["entity_group"] as? String, "\(aggregation) text \(i)")
                XCTAssertEqual(ours.word, r["word"] as? String, "\(aggregation) text \(i)")
                XCTAssertEqual(ours.start, (r["start"] as? NSNumber)?.intValue, "\(aggregation) text \(i) \(ours.word)")
                XCTAssertEqual(ours.end, (r["end"] as? NSNumber)?.intValue, "\(aggregation) text \(i) \(ours.word)")
                assertClose(ours.score, number(r["score"]), "\(aggregation) text \(i) \(ours.word)")
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 10)
    }
}
