import Foundation
import XCTest

/// `mbconvert embed` on a converted sentence-transformers 6.x directory (Dense + Normalize, prompts):
/// the prompt and Matryoshka options against sentence-transformers' golden output, and refusals.
final class EmbedCLITests: XCTestCase {
    private let source = TestPaths.repository.appendingPathComponent("Tests/MBTasksTests/Fixtures/st/st6-mean-dense-normalize")

    private func golden() throws -> (texts: [String], cases: [String: [[Double]]]) {
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: source.appendingPathComponent("golden.json"))) as? [String: Any])
        var cases: [String: [[Double]]] = [:]
        for c in root["cases"] as! [[String: Any]] {
            cases[c["name"] as! String] = (c["embeddings"] as! [[NSNumber]]).map { $0.map(\.doubleValue) }
        }
        return (root["texts"] as! [String], cases)
    }

    func testPromptNameAndDimensionsMatchSentenceTransformers() throws {
        let model = try TestPaths.temporaryDirectory().appendingPathComponent("st6.mbc").path
        var result = try CLI.run(["convert", source.path, "-o", model])
        XCTAssertEqual(result.status, 0, result.stderr)
        let (texts, cases) = try golden()
        for (arguments, name) in [([], "default"), (["--prompt-name", "query"], "prompt query"), (["--dimensions", "4"], "matryoshka")] {
            result = try CLI.run(["embed", model, "--json"] + arguments + Array(texts.prefix(3)))
            XCTAssertEqual(result.status, 0, result.stderr)
            let rows = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
            for (i, row) in rows.enumerated() {
                let vector = (row["embedding"] as! [NSNumber]).map(\.doubleValue)
                XCTAssertEqual(vector.count, cases[name]![i].count, name)
                for (a, b) in zip(vector, cases[name]![i]) { XCTAssertEqual(a, b, accuracy: 1e-4, "\(name) text \(i)") }
            }
        }
        result = try CLI.run(["embed", model, "--prompt-name", "query", texts[0]])
        XCTAssertTrue(result.stdout.contains("8 dims, pooling mean, dense, normalized, prompt \"search_query: \""), result.stdout)
        result = try CLI.run(["embed", model, "--prompt-name", "passage", "x"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("no prompt named 'passage'; the model's prompts: document, query"), result.stderr)
        result = try CLI.run(["embed", model, "--dimensions", "9", "x"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("between 1 and the embedding width 8"), result.stderr)
    }

    func testPickledDenseWeightsAreRefused() throws {
        let dir = try TestPaths.temporaryDirectory().appendingPathComponent("st")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name).resolvingSymlinksInPath(),
                                             to: dir.appendingPathComponent(name))
        }
        try FileManager.default.moveItem(at: dir.appendingPathComponent("2_Dense/model.safetensors"),
                                         to: dir.appendingPathComponent("2_Dense/pytorch_model.bin"))
        let result = try CLI.run(["convert", dir.path, "-o", dir.appendingPathComponent("out.mbc").path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("2_Dense/pytorch_model.bin: Dense weights are only read from safetensors"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.mbc").path))
    }
}
