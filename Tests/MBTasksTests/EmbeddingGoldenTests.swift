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
        for (i, (v, e)) in zip(vectors, expected).enumerated() {
            XCTAssertEqual(v.count, e.count)
            for k in v.indices { assertClose(v[k], e[k], "text \(i) dim \(k)") }
        }
        let similarity = SimilarityMatrix(vectors)
        let reference = (golden["similarity"] as! [[NSNumber]]).map { $0.map(\.floatValue) }
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
        let vectors = try embedder.embed(golden["texts"] as! [String]).map(\.vector)
        let expected = (golden["vectors"] as! [[NSNumber]]).map { $0.map(\.floatValue) }
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
}
