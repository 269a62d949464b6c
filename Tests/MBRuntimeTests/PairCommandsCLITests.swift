import Foundation
import XCTest

/// `mbconvert rerank` and `classify --pair`, run as a subprocess on the reranker task fixture
/// (Tests/MBTasksTests/Fixtures/reranker: one label, mean pooling, 64 positions).
final class PairCommandsCLITests: XCTestCase {
    nonisolated(unsafe) private static var converted: String?

    private func rerankerFile() throws -> String {
        if let path = Self.converted { return path }
        let source = TestPaths.repository.appendingPathComponent("Tests/MBTasksTests/Fixtures/reranker").path
        let out = try TestPaths.temporaryDirectory().appendingPathComponent("reranker.mbc").path
        let result = try CLI.run(["convert", source, "-o", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        Self.converted = out
        return out
    }

    private func golden() throws -> [String: Any] {
        let url = TestPaths.repository.appendingPathComponent("Tests/MBTasksTests/Fixtures/reranker/golden.json")
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        return try XCTUnwrap((root["cases"] as? [[String: Any]])?.first)
    }

    func testRerankPrintsTheRerankShapeBestFirstAndWarnsOnCutDocuments() throws {
        let model = try rerankerFile(), c = try golden()
        let query = c["query"] as! String, documents = c["documents"] as! [String]
        let order = (c["order"] as! [NSNumber]).map(\.intValue)
        let scores = (c["scores"] as! [NSNumber]).map(\.doubleValue)
        let result = try CLI.run(["rerank", model, "--query", query, "--json"] + documents)
        XCTAssertEqual(result.status, 0, result.stderr)
        let items = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(items.map { Set($0.keys) }, Array(repeating: ["index", "score"], count: documents.count))
        XCTAssertEqual(items.map { ($0["index"] as! NSNumber).intValue }, order)
        for item in items {
            let i = (item["index"] as! NSNumber).intValue
            XCTAssertEqual((item["score"] as! NSNumber).doubleValue, scores[i], accuracy: 1e-4)
        }
        let truncated = (c["truncated"] as! [Bool]).enumerated().filter(\.element).map { String($0.offset + 1) }
        XCTAssertTrue(result.stderr.contains("warning: \(truncated.count) document(s) were cut to fit 64 tokens with the query (\(truncated.joined(separator: ", ")))"),
                      result.stderr)

        // --top-k, --return-text, documents from JSON Lines.
        let input = try TestPaths.temporaryDirectory().appendingPathComponent("docs.jsonl")
        let lines = try documents.enumerated().map { i, d in
            String(decoding: try JSONSerialization.data(withJSONObject: i % 2 == 0 ? d as Any : ["text": d], options: .fragmentsAllowed), as: UTF8.self)
        }
        try (lines.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        let top = try CLI.run(["rerank", model, "--query", query, "--input", input.path, "--top-k", "2", "--return-text", "--json"])
        XCTAssertEqual(top.status, 0, top.stderr)
        let topItems = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(top.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(topItems.map { ($0["index"] as! NSNumber).intValue }, Array(order.prefix(2)))
        XCTAssertEqual(topItems.map { $0["text"] as? String }, order.prefix(2).map { documents[$0] })
    }

    func testRerankRefusals() throws {
        let model = try rerankerFile()
        var result = try CLI.run(["rerank", model, "--query", "q", "--top-k", "0", "doc"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("--top-k must be at least 1"), result.stderr)
        result = try CLI.run(["rerank", model, "doc"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("--query"), result.stderr)
        // A query that leaves no room for the document under only_second: the error says what to do.
        let long = Array(repeating: "Which list method removes an item?", count: 9).joined(separator: " ")
        result = try CLI.run(["rerank", model, "--query", long, "short doc"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("input 1: only_second cannot fit the pair in 64 tokens"), result.stderr)
        XCTAssertTrue(result.stderr.contains("use longest_first"), result.stderr)
        result = try CLI.run(["rerank", model, "--query", long, "--truncation", "longest_first", "short doc"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("1 pair(s) were cut (longest_first)"), result.stderr)
        // A model of another architecture.
        result = try CLI.run(["rerank", HardeningFixtures.textModel.path, "--query", "q", "doc"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("reranking needs a ModernBertForSequenceClassification"), result.stderr)
    }

    func testClassifyPairsFromArgumentsAndJSONLines() throws {
        let model = try rerankerFile()
        var result = try CLI.run(["classify", model, "How?", "Why?", "--pair", "Like this.", "--json"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("--pair is given 1 time(s) for 2 text(s)"), result.stderr)
        result = try CLI.run(["classify", model, "How?", "--pair", "Like this.", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let fromArguments = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let input = try TestPaths.temporaryDirectory().appendingPathComponent("pairs.jsonl")
        try "{\"text\": \"How?\", \"text_pair\": \"Like this.\"}\n\"How?\"\n".write(to: input, atomically: true, encoding: .utf8)
        result = try CLI.run(["classify", model, "--input", input.path, "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let fromLines = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[[String: Any]]])
        XCTAssertEqual(fromLines.count, 2)
        XCTAssertEqual((fromLines[0][0]["score"] as! NSNumber).doubleValue, (fromArguments[0]["score"] as! NSNumber).doubleValue)
        // The single text scores differently from the pair: the pair really went through the template.
        XCTAssertNotEqual((fromLines[1][0]["score"] as! NSNumber).doubleValue, (fromLines[0][0]["score"] as! NSNumber).doubleValue)
        result = try CLI.run(["classify", model, "--input", input.path, "--truncation", "only_second", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)   // fits: nothing to cut, so no error even for the single text
    }
}
