import Foundation
import MBRuntime
import XCTest

/// Behaviour the golden files do not cover: over-long input, batching plans, errors.
final class TaskBehaviourTests: XCTestCase {
    func testOverlongTextIsTruncatedAndFlagged() throws {
        let model = try TaskFixtures.model("seqcls-single")
        let long = String(repeating: "The river flows past the old mill. ", count: 200)   // > 512 tokens
        let classifier = try TextClassifier(model: model)
        let results = try classifier.classify([long, "Short."])
        XCTAssertTrue(results[0].truncated)
        XCTAssertFalse(results[1].truncated)
        let ner = try TokenClassifier(model: TaskFixtures.model("tokcls"))
        XCTAssertTrue(try ner(long).truncated)
        let embedding = try Embedder(model: TaskFixtures.model("st-mean-normalize")).embed(long)
        XCTAssertTrue(embedding.truncated)
        XCTAssertEqual(embedding.tokenCount, 512)
    }

    func testBatchingRanges() {
        let b = Batching(maxTokens: 10, maxSequences: 3)
        XCTAssertEqual(b.ranges(lengths: [4, 4, 4, 20, 1, 1, 1, 1]), [0..<2, 2..<3, 3..<4, 4..<7, 7..<8])
        XCTAssertEqual(b.ranges(lengths: []), [])
    }

    func testWrongArchitectureIsAnError() throws {
        let model = try TaskFixtures.model("tokcls")
        XCTAssertThrowsError(try TextClassifier(model: model)) { error in
            XCTAssertTrue("\(error)".contains("ModernBertForSequenceClassification"), "\(error)")
        }
        XCTAssertThrowsError(try FillMask(model: model))
    }

    func testFillMaskWithoutMaskIsAnError() throws {
        let fill = try FillMask(model: TaskFixtures.model("bundled"))
        XCTAssertThrowsError(try fill("No mask here."))
    }

    func testQAWindowsCoverTheContext() {
        XCTAssertEqual(QuestionAnswerer.windows(count: 10, budget: 20, stride: 5), [0..<10])
        XCTAssertEqual(QuestionAnswerer.windows(count: 10, budget: 4, stride: 1), [0..<4, 3..<7, 6..<10])
    }
}

extension TaskBehaviourTests {
    func testZeroShotCutsTheTextNotTheTemplate() throws {
        let model = try TaskFixtures.model("bundled")
        var zero = try ZeroShotClassifier(model: model, template: "{text} This sentence is about [MASK].")
        zero.maxLength = 64   // the same path as the model's 8192, faster
        let long = String(repeating: "Lists can be sorted in place. ", count: 40)
        let labels = ["lists", "regular expressions"]
        let result = try zero(long, labels: labels)
        XCTAssertTrue(result.truncated)
        XCTAssertEqual(result.scores.count, 2)
        // The template survived whole: the result is that of the longest prefix of the text (cut at
        // a token boundary) whose whole prompt fits in maxLength minus the room the two-token label
        // needs for its extra mask, which is then not truncated.
        let tokenizer = try model.requireTokenizer()
        let longestLabel = try XCTUnwrap(result.scores.map(\.tokens.count).max())
        XCTAssertEqual(longestLabel, 2, "\"regular expressions\" should widen the mask to two tokens")
        let budget = 64 - (longestLabel - 1)
        let text = tokenizer.encode(long, addSpecialTokens: false)
        var prefix: String?
        for k in stride(from: text.count - 1, to: 0, by: -1) {
            let candidate = String(String.UnicodeScalarView(long.unicodeScalars.prefix(text.offsets[k].start)))
            let prompt = zero.template.replacingOccurrences(of: "{text}", with: candidate)
            if tokenizer.encode(prompt).count <= budget { prefix = candidate; break }
        }
        let fitting = try zero(try XCTUnwrap(prefix), labels: labels)
        XCTAssertFalse(fitting.truncated)
        XCTAssertEqual(result.scores, fitting.scores, "the long text must score as its longest fitting prefix in the whole template")
    }
}
