import Foundation
import MBRuntime
import MBServer
import XCTest

/// A `/predict` entry as the tests read it.
struct PredictionRow: Decodable { var score: Float; var label: String }

/// The batching queue packs concurrent requests into shared forward passes; every request must get
/// what it gets alone, and what the CLI's task types give.
final class BatchingTests: XCTestCase {
    /// Texts of 1 to ~300 tokens, different on every call of the generator.
    static func texts(_ count: Int, seed: UInt64) -> [String] {
        let words = ["list", "tuple", "the", "a", "mutable", "sequence", "dictionary", "Python", "élan", "naïve",
                     "函数", "return", "value", "—", "x = [1, 2, 3]", "immutable", "keys", "map", "of", "to"]
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let n = 1 + Int(generator.next() % (generator.next() % 4 == 0 ? 250 : 25))
            return (0..<n).map { _ in words[Int(generator.next() % UInt64(words.count))] }.joined(separator: " ")
        }
    }

    /// 32 concurrent clients, each posting a few texts to /embed, get the vectors `Embedder.embed`
    /// computes for each text alone (the CLI's `embed --normalize`), with passes mixing requests.
    func testConcurrentEmbedRequestsEqualSerialEmbedder() async throws {
        for (int8, mode) in [(false, ExecutionMode.w8a32), (true, .w8a8)] {
            // A small token budget forces requests to be split over passes and mixed with others.
            let service = try ServerFixtures.service("st-mean-normalize", int8: int8, mode: mode) { $0.maxBatchTokens = 600 }
            defer { service.stop() }
            let embedder = try Embedder(model: service.served.model, normalize: true)
            let requests = (0..<32).map { Self.texts(1 + $0 % 4, seed: UInt64($0)) }
            let responses = await withTaskGroup(of: (Int, RouteResponse).self) { group in
                for (i, texts) in requests.enumerated() {
                    group.addTask { (i, await service.post(.embed, ["inputs": texts])) }
                }
                var out = [RouteResponse?](repeating: nil, count: requests.count)
                for await (i, r) in group { out[i] = r }
                return out.map { $0! }
            }
            var worst: Float = 0
            for (texts, response) in zip(requests, responses) {
                XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
                let serial = try texts.map { try embedder.embed([$0])[0].vector }
                worst = max(worst, maxDifference(response.floats, serial))
            }
            XCTAssertLessThanOrEqual(worst, 1e-6, "int8 \(int8): concurrent vs serial")
            print("concurrent vs serial embeddings (int8 \(int8), \(mode)): max |difference| \(worst)")
            let metrics = service.metrics.render()
            // Several requests shared passes: fewer passes than sequences.
            let passes = Int(metrics.split(separator: "\n").first { $0.hasPrefix("mbconvert_batch_size_count") }!
                .split(separator: " ").last!)!
            XCTAssertLessThan(passes, requests.joined().count, "no pass packed more than one sequence")
        }
    }

    /// /predict on a batch equals `TextClassifier.classify` text by text (the CLI's `classify --json`).
    func testPredictEqualsClassifier() async throws {
        let service = try ServerFixtures.service("seqcls-single")
        defer { service.stop() }
        let classifier = try TextClassifier(model: service.served.model)
        let texts = Self.texts(8, seed: 99)
        let response = await service.post(.predict, ["inputs": texts.map { [$0] }])
        XCTAssertEqual(response.status, 200)
        let rows = try XCTUnwrap(response.json as? [[[String: Any]]])
        for (text, row) in zip(texts, rows) {
            let expected = try classifier.classify([text])[0].scores
            XCTAssertEqual(row.map { $0["label"] as? String }, expected.map(\.label))
            for (got, want) in zip(row, expected) {
                XCTAssertEqual(Float((got["score"] as! NSNumber).doubleValue), want.score, accuracy: 1e-6)
            }
        }
        // One input answers a flat list; raw scores are the logits.
        let single = await service.post(.predict, ["inputs": texts[0], "raw_scores": true])
        let flat = try XCTUnwrap(single.json as? [[String: Any]])
        let logits = try classifier.classify([texts[0]])[0].logits
        XCTAssertEqual(Float((flat[0]["score"] as! NSNumber).doubleValue), logits.max()!, accuracy: 1e-6)
    }

    /// /rerank gives `Reranker.rerank`'s ranking (the CLI's `rerank`), also for documents cut to the
    /// model's 64 positions on the document's side; a pair through /predict scores like the pair alone.
    func testRerankEqualsReranker() async throws {
        let service = try ServerFixtures.service("reranker")
        defer { service.stop() }
        let reranker = try Reranker(model: service.served.model)
        let query = "How do I remove an item from a list?"
        let texts = Self.texts(10, seed: 5)
        XCTAssertGreaterThan(texts.map { service.served.tokenizer.encode(query, pair: $0).count }.max()!, 64, "no long pair")
        let response = await service.post(.rerank, ["query": query, "texts": texts, "return_text": true, "truncate": true])
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
        let ranks = try response.decode([Reranker.Ranked].self)
        let expected = try reranker.rerank(query: query, documents: texts, returnText: true).ranked
        XCTAssertEqual(ranks.map(\.index), expected.map(\.index))
        XCTAssertEqual(ranks.map(\.text), expected.map(\.text))
        XCTAssertLessThanOrEqual(zip(ranks, expected).map { abs($0.score - $1.score) }.max()!, 1e-6)
        // Without truncation the long pairs are refused, naming the limit.
        let refused = await service.post(.rerank, ["query": query, "texts": texts])
        XCTAssertEqual(refused.status, 422)

        let short = texts.first { service.served.tokenizer.encode(query, pair: $0).count <= 64 }!
        let pair = await service.post(.predict, ["inputs": [query, short], "raw_scores": true])
        let predicted = try pair.decode([PredictionRow].self)
        let logit = try TextClassifier(model: service.served.model, function: TextClassifier.Function.none)(query, pair: short).logits[0]
        XCTAssertEqual(predicted[0].score, logit, accuracy: 1e-6)
    }

    /// /embed_all returns every token's final state; /v1/embeddings base64 decodes to the float vectors.
    func testEmbedAllAndOpenAIEncodings() async throws {
        let service = try ServerFixtures.service("st-mean-normalize")
        defer { service.stop() }
        let model = service.served.model
        let text = "A list is a mutable sequence."
        let all = await service.post(.embedAll, ["inputs": text])
        let states = try XCTUnwrap(all.json as? [[[Double]]])
        let ids = service.served.tokenizer.encode(text).ids
        let expected = try model.forward([ids]).lastHiddenState
        XCTAssertEqual(states[0].count, ids.count)
        XCTAssertEqual(states[0].joined().map(Float.init), expected)

        let float = await service.post(.openAIEmbeddings, ["input": [text, "Tuples are immutable."], "encoding_format": "float"])
        // The openai client sends "base64" itself; without `encoding_format` the default is float (TEI's and OpenAI's).
        let base64 = await service.post(.openAIEmbeddings, ["input": [text, "Tuples are immutable."], "encoding_format": "base64"])
        let unspecified = await service.post(.openAIEmbeddings, ["input": [text, "Tuples are immutable."]])
        XCTAssertEqual(base64.status, 200)
        XCTAssertEqual(unspecified.status, 200)
        let u = try XCTUnwrap((unspecified.json as? [String: Any])?["data"] as? [[String: Any]])
        XCTAssertNotNil(u.first?["embedding"] as? [Double], "no encoding_format: float lists")
        let f = try XCTUnwrap((float.json as? [String: Any])?["data"] as? [[String: Any]])
        let b = try XCTUnwrap((base64.json as? [String: Any])?["data"] as? [[String: Any]])
        for (x, y) in zip(f, b) {
            let data = try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(y["embedding"] as? String)))
            let decoded = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            XCTAssertEqual(decoded, (x["embedding"] as! [Double]).map(Float.init))
        }
        let usage = try XCTUnwrap((float.json as? [String: Any])?["usage"] as? [String: Int])
        XCTAssertEqual(usage["prompt_tokens"], ids.count + service.served.tokenizer.encode("Tuples are immutable.").count)
    }
}
