import Foundation
import MBFormat
import MBRuntime
import XCTest

/// Embedder and SimilarityMatrix against sentence-transformers' computation (mean pooling + Normalize),
/// and the sentence-transformers directory's pooling recorded in the model file.
final class EmbeddingGoldenTests: XCTestCase {
    func testSentenceTransformersDirectory() throws {
        let model = try TaskFixtures.model("st-mean-normalize")
        XCTAssertEqual(model.config.embeddingPooling, .mean)
        XCTAssertEqual(model.config.embeddingNormalize, true)
        let golden = try TaskFixtures.golden("st-mean-normalize")
        let texts = golden["texts"] as! [String]
        let expected = (golden["embeddings"] as! [[NSNumber]]).map { $0.map(\.floatValue) }
        let embedder = try Embedder(model: model)
        XCTAssertEqual(embedder.pooling, [.mean])
        XCTAssertTrue(embedder.normalize)
        let vectors = try embedder.embed(texts).map(\.vector)
        assertSameShape(vectors, expected, texts: texts.count, width: model.config.hiddenSize)
        for (i, (v, e)) in zip(vectors, expected).enumerated() {
            for k in v.indices { assertClose(v[k], e[k], "text \(i) dim \(k)") }
        }
        let similarity = SimilarityMatrix(vectors)
        let reference = (golden["similarity"] as! [[NSNumber]]).map { $0.map(\.floatValue) }
        XCTAssertEqual(reference.map(\.count), Array(repeating: texts.count, count: texts.count), "golden similarity shape")
        for i in texts.indices {
            for j in texts.indices { assertClose(similarity[i, j], reference[i][j], "similarity \(i),\(j)") }
        }
    }

    func testBundledModelCLSPooling() throws {
        let golden = try XCTUnwrap(TaskFixtures.golden("mini-pydocs-tasks.json")["cls_embeddings"] as? [String: Any])
        let model = try TaskFixtures.model("bundled")
        XCTAssertNil(model.config.embeddingPooling)
        let embedder = try Embedder(model: model, pooling: .cls)
        XCTAssertFalse(embedder.normalize)
        let texts = golden["texts"] as! [String]
        let vectors = try embedder.embed(texts).map(\.vector)
        let expected = (golden["vectors"] as! [[NSNumber]]).map { $0.map(\.floatValue) }
        assertSameShape(vectors, expected, texts: texts.count, width: model.config.hiddenSize)
        for (i, (v, e)) in zip(vectors, expected).enumerated() {
            for k in v.indices { assertClose(v[k], e[k], "text \(i) dim \(k)") }
        }
    }

    func testHiddenStatesAndPoolingAPI() throws {
        let model = try TaskFixtures.model("st-mean-normalize")
        let ids = try model.requireTokenizer().encode("A short text.").ids
        let out = try model.forward([ids, ids + ids], outputHiddenStates: true)
        let states = try XCTUnwrap(out.hiddenStates(of: 1))
        XCTAssertEqual(states.count, model.config.numLayers + 1)
        XCTAssertEqual(states.last!, out.lastHiddenState(of: 1))
        XCTAssertEqual(states[0].count, 2 * ids.count * model.config.hiddenSize)
        XCTAssertEqual(out.pooled(0, .cls), Array(out.lastHiddenState(of: 0).prefix(model.config.hiddenSize)))
        XCTAssertEqual(out.pooled(0, .mean, layer: 0).count, model.config.hiddenSize)
    }

    /// One vector per text, each as wide as the model, in both ours and the golden file: the
    /// element-wise loops above compare only what both sides have.
    private func assertSameShape(_ vectors: [[Float]], _ expected: [[Float]], texts: Int, width: Int,
                                 file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertGreaterThan(texts, 0, "golden texts", file: file, line: line)
        XCTAssertEqual(expected.count, texts, "golden vectors", file: file, line: line)
        XCTAssertEqual(vectors.count, texts, "vectors", file: file, line: line)
        XCTAssertEqual(expected.map(\.count), Array(repeating: width, count: expected.count), "golden widths", file: file, line: line)
        XCTAssertEqual(vectors.map(\.count), Array(repeating: width, count: vectors.count), "vector widths", file: file, line: line)
    }
}
