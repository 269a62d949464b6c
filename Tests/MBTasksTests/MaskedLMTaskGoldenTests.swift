import Foundation
import MBRuntime
import XCTest

/// FillMask against pipeline("fill-mask") and ZeroShotClassifier against the script's direct MLM scoring,
/// both on the bundled trained model.
final class MaskedLMTaskGoldenTests: XCTestCase {
    func testFillMaskMatchesPipeline() throws {
        let cases = try XCTUnwrap(TaskFixtures.golden("mini-pydocs-tasks.json")["fill_mask"] as? [[String: Any]])
        let fill = try FillMask(model: TaskFixtures.model("bundled"), topK: 5)
        let results = try fill.predict(cases.map { $0["text"] as! String })
        XCTAssertFalse(cases.isEmpty)
        XCTAssertEqual(results.count, cases.count)
        for (c, result) in zip(cases, results) {
            let masks = c["masks"] as! [[[String: Any]]]
            XCTAssertEqual(result.masks.count, masks.count)
            for (ours, ref) in zip(result.masks, masks) {
                XCTAssertEqual(ours.count, 5, "\(result.text): top-k")
                XCTAssertEqual(ours.count, ref.count, "\(result.text)")
                XCTAssertEqual(ours.map { Int($0.token) }, ref.map { $0["token"] as! Int }, "\(result.text)")
                XCTAssertEqual(ours.map(\.tokenString),
                               ref.map { ($0["token_str"] as! String).trimmingCharacters(in: .whitespaces) })
                for (o, r) in zip(ours, ref) { assertClose(o.score, number(r["score"]), "\(result.text) \(o.tokenString)") }
            }
        }
    }

    func testZeroShotMatchesReferenceScoring() throws {
        let golden = try XCTUnwrap(TaskFixtures.golden("mini-pydocs-tasks.json")["zero_shot"] as? [String: Any])
        let labels = golden["labels"] as! [String]
        let cases = golden["cases"] as! [[String: Any]]
        let zero = try ZeroShotClassifier(model: TaskFixtures.model("bundled"), template: golden["template"] as! String)
        let results = try zero.classify(cases.map { $0["text"] as! String }, labels: labels)
        XCTAssertFalse(cases.isEmpty)
        XCTAssertEqual(results.count, cases.count)
        var multiToken = 0
        for (c, result) in zip(cases, results) {
            XCTAssertEqual(result.scores.map(\.label).sorted(), labels.sorted(), "\(result.text): one score per label")
            let tokens = c["label_tokens"] as! [[Int]]
            let logProbs = (c["log_probs"] as! [NSNumber]).map(\.doubleValue)
            let scores = (c["scores"] as! [NSNumber]).map(\.floatValue)
            for (k, label) in labels.enumerated() {
                let ours = try XCTUnwrap(result.scores.first { $0.label == label })
                XCTAssertEqual(ours.tokens.map(Int.init), tokens[k], label)
                if tokens[k].count > 1 { multiToken += 1 }
                XCTAssertEqual(ours.logProbability, logProbs[k], accuracy: 1e-4, "\(result.text) \(label)")
                assertClose(ours.score, scores[k], "\(result.text) \(label)")
            }
            XCTAssertEqual(result.scores.map(\.score), result.scores.map(\.score).sorted(by: >))
        }
        XCTAssertGreaterThan(multiToken, 0, "a label must span several tokens")
    }
}
