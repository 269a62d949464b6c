import Foundation
import MBRuntime
import MBTokenizer
import XCTest

/// Reranker and pair classification against transformers on the random-init one-label mean-pooling
/// classifier (the gte-reranker-modernbert-base layout; `reranker` fixture, 64 positions) and the
/// three-label seqcls-single fixture.
final class RerankerGoldenTests: XCTestCase {
    func testScoresOrderAndTruncationMatchTransformers() throws {
        let model = try TaskFixtures.model("reranker")
        XCTAssertEqual(model.config.numLabels, 1)
        XCTAssertEqual(model.config.classifierPooling, .mean)
        let golden = try TaskFixtures.golden("reranker")
        let cases = try XCTUnwrap(golden["cases"] as? [[String: Any]])
        for (k, c) in cases.enumerated() {
            var reranker = try Reranker(model: model)
            XCTAssertEqual(reranker.scoring, .sigmoid)
            XCTAssertEqual(reranker.maxLength, (c["max_length"] as! NSNumber).intValue)
            reranker.truncation = try XCTUnwrap(TruncationStrategy(rawValue: c["truncation"] as! String))
            let query = c["query"] as! String, documents = c["documents"] as! [String]
            if let error = c["error"] as? String {
                XCTAssertThrowsError(try reranker.rerank(query: query, documents: documents)) { thrown in
                    guard case let .cannotTruncate(index, maxLength, reason)? = thrown as? TaskError else {
                        return XCTFail("case \(k): \(thrown)")
                    }
                    XCTAssertEqual(index, (c["error_index"] as! NSNumber).intValue)
                    XCTAssertEqual(maxLength, 64)
                    XCTAssertTrue(reason.description.hasPrefix(error), "case \(k): \(reason)")
                }
                continue
            }
            let scores = (c["scores"] as! [NSNumber]).map(\.floatValue)
            let order = (c["order"] as! [NSNumber]).map(\.intValue)
            let truncated = (c["truncated"] as! [Bool]).enumerated().filter(\.element).map(\.offset)
            var small = reranker
            small.batching = Batching(maxTokens: 40, maxSequences: 2)
            for result in [try reranker.rerank(query: query, documents: documents),
                           try small.rerank(query: query, documents: documents)] {
                XCTAssertEqual(result.ranked.map(\.index), order, "case \(k) order")
                XCTAssertEqual(result.truncated, truncated, "case \(k) truncated")
                for (i, s) in scores.enumerated() { assertClose(result.scores[i], s, "case \(k) document \(i)") }
                for r in result.ranked { XCTAssertEqual(r.score, result.scores[r.index]) }
            }
            // The tokens are transformers' for that strategy.
            let ids = (c["input_ids"] as! [[NSNumber]]).map { $0.map(\.int32Value) }
            for (i, d) in documents.enumerated() {
                let encoded = try reranker.tokenizer.encode(TokenizerInput(query, pair: d), maxLength: 64, truncation: reranker.truncation)
                XCTAssertEqual(encoded.encoding.ids, ids[i], "case \(k) document \(i) ids")
            }
            // Raw scores are the logits, in the same order.
            let logits = (c["logits"] as! [[NSNumber]]).map { $0.map(\.floatValue) }
            var raw = try Reranker(model: model, rawScores: true)
            raw.truncation = reranker.truncation
            let rawResult = try raw.rerank(query: query, documents: documents, topK: 3, returnText: true)
            XCTAssertEqual(rawResult.ranked.map(\.index), Array(order.prefix(3)))
            XCTAssertEqual(rawResult.ranked.map(\.text), order.prefix(3).map { documents[$0] })
            for (i, l) in logits.enumerated() { assertClose(rawResult.scores[i], l[0], "case \(k) logit \(i)") }
        }
    }

    func testPairsThroughTheClassificationPipeline() throws {
        let golden = try XCTUnwrap(TaskFixtures.golden("reranker")["pipeline"] as? [String: Any])
        let inputs = (golden["inputs"] as! [[String: String]]).map { TokenizerInput($0["text"]!, pair: $0["text_pair"]!) }
        let expected = golden["results"] as! [[[String: Any]]]
        let classifier = try TextClassifier(model: TaskFixtures.model("reranker"))
        let results = try classifier.classify(inputs, truncation: .longestFirst)
        for (i, (r, e)) in zip(results, expected).enumerated() {
            XCTAssertEqual(r.best.label, e[0]["label"] as? String)
            assertClose(r.best.score, number(e[0]["score"]), "pair \(i)")
        }
    }

    func testThreeLabelPairsInEveryStrategy() throws {
        let golden = try TaskFixtures.golden("seqcls-single/pairs.json")
        let inputs = (golden["inputs"] as! [[String: String]]).map { TokenizerInput($0["text"]!, pair: $0["text_pair"]!) }
        var classifier = try TextClassifier(model: TaskFixtures.model("seqcls-single"))
        classifier.maxLength = (golden["max_length"] as! NSNumber).intValue
        let strategies = golden["strategies"] as! [String: [[String: Any]]]
        XCTAssertEqual(Set(strategies.keys), Set(TruncationStrategy.allCases.map(\.rawValue)))
        var errors = 0
        for (name, rows) in strategies {
            let strategy = TruncationStrategy(rawValue: name)!
            for (i, (input, row)) in zip(inputs, rows).enumerated() {
                if let error = row["error"] as? String {
                    errors += 1
                    XCTAssertThrowsError(try classifier.classify([input], truncation: strategy)) { thrown in
                        guard case let .cannotTruncate(_, _, reason)? = thrown as? TaskError else { return XCTFail("\(thrown)") }
                        XCTAssertTrue(reason.description.hasPrefix(error))
                    }
                    continue
                }
                let expected = row["results"] as! [[String: Any]]
                let result = try classifier.classify([input], truncation: strategy)[0]
                XCTAssertEqual(result.scores.map(\.label), expected.map { $0["label"] as! String }, "\(name) pair \(i)")
                for (ours, ref) in zip(result.scores, expected) {
                    assertClose(ours.score, number(ref["score"]), "\(name) pair \(i) \(ours.label)")
                }
            }
        }
        XCTAssertGreaterThan(errors, 0)
    }

    func testTwoLabelScoringAndRefusals() throws {
        let model = try TaskFixtures.model("reranker")
        var reranker = try Reranker(model: model)
        reranker.scoring = .softmaxPositive
        let p = reranker.score([0.5, 2.0])
        XCTAssertEqual(p, Float(1 / (1 + exp(-1.5))), accuracy: 1e-6)
        reranker.scoring = .raw
        XCTAssertEqual(reranker.score([0.5, 2.0]), 1.5)
        // Softmax of the positive class and the sigmoid of the log-odds are the same number.
        reranker.scoring = .sigmoid
        XCTAssertEqual(reranker.score([1.5]), p, accuracy: 1e-6)
        XCTAssertThrowsError(try Reranker(model: TaskFixtures.model("seqcls-single"))) { error in
            XCTAssertTrue("\(error)".contains("has 3 labels"), "\(error)")
        }
        XCTAssertThrowsError(try Reranker(model: TaskFixtures.model("bundled")))
        XCTAssertTrue(try reranker.rerank(query: "q", documents: []).ranked.isEmpty)
    }

    func testRankedEncodesAsTheRerankResponse() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode([Reranker.Ranked(index: 2, score: 0.5),
                                                        Reranker.Ranked(index: 0, score: 0.25, text: "doc")]), as: UTF8.self)
        XCTAssertEqual(json, #"[{"index":2,"score":0.5},{"index":0,"score":0.25,"text":"doc"}]"#)
        let back = try JSONDecoder().decode([Reranker.Ranked].self, from: Data(json.utf8))
        XCTAssertEqual(back[1], Reranker.Ranked(index: 0, score: 0.25, text: "doc"))
    }
}
