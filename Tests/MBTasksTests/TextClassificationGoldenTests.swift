import Foundation
import MBRuntime
import XCTest

/// TextClassifier against pipeline("text-classification", top_k=None) on the seqcls fixtures.
final class TextClassificationGoldenTests: XCTestCase {
    func testSingleLabelSoftmax() throws { try check("seqcls-single", function: .softmax) }
    func testMultiLabelSigmoid() throws { try check("seqcls-multi", function: .sigmoid) }
    func testRegressionRawValue() throws { try check("seqcls-regression", function: .none) }

    func testDefaultFunctionFollowsThePipeline() {
        XCTAssertEqual(TextClassifier.defaultFunction(problemType: nil, numLabels: 1), .sigmoid)
        XCTAssertEqual(TextClassifier.defaultFunction(problemType: nil, numLabels: 3), .softmax)
        XCTAssertEqual(TextClassifier.defaultFunction(problemType: "regression", numLabels: 1), .none)
        XCTAssertEqual(TextClassifier.defaultFunction(problemType: "multi_label_classification", numLabels: 1), .sigmoid)
    }

    private func check(_ name: String, function: TextClassifier.Function) throws {
        let golden = try TaskFixtures.golden(name)
        let texts = try XCTUnwrap(golden["texts"] as? [String])
        let expected = try XCTUnwrap(golden["pipeline"] as? [[[String: Any]]])
        let classifier = try TextClassifier(model: TaskFixtures.model(name))
        XCTAssertEqual(classifier.function, function)
        // Small batches and one big batch must agree.
        var small = classifier
        small.batching = Batching(maxTokens: 12, maxSequences: 2)
        for results in [try classifier.classify(texts), try small.classify(texts)] {
            XCTAssertEqual(results.count, texts.count)
            for (i, result) in results.enumerated() {
                XCTAssertEqual(result.scores.map(\.label), expected[i].map { $0["label"] as! String }, "\(name) text \(i) label order")
                for (ours, ref) in zip(result.scores, expected[i]) {
                    assertClose(ours.score, number(ref["score"]), "\(name) text \(i) \(ours.label)")
                }
            }
        }
    }
}
