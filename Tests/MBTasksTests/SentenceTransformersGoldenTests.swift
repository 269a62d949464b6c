import Foundation
import MBFormat
import MBRuntime
import XCTest

/// Converted sentence-transformers directories (6.x saved by sentence-transformers, 2.x written in the old
/// layout; `Scripts/st_golden.py`) embed like `SentenceTransformer.encode`: per text, cosine >= 0.9999 and
/// every value within 1e-4, for the default call, each named prompt and Matryoshka truncation.
final class SentenceTransformersGoldenTests: XCTestCase {
    static let variants = [
        "st6-mean-dense-normalize", "st6-cls-identity-nobias", "st6-max-normalize", "st6-meansqrt",
        "st6-weightedmean-noprompt", "st6-lasttoken-residual", "st6-multi-relu",
        "st2-mean-dense-normalize", "st2-cls-weightedmean", "st2-lasttoken-identity",
    ]

    func testEveryVariantEmbedsLikeSentenceTransformers() throws {
        var worstCosine = 1.0, worstDifference: Float = 0, compared = 0
        for name in Self.variants {
            let model = try TaskFixtures.modelWithoutTokenizer("st/\(name)")
            let golden = try TaskFixtures.golden("st/\(name)")
            let texts = golden["texts"] as! [String]
            let st = try XCTUnwrap(model.config.sentenceEmbedding, name)
            XCTAssertEqual(st.maxLength ?? model.config.maxPositions, (golden["max_seq_length"] as! NSNumber).intValue, name)
            XCTAssertEqual(st.dimension(hiddenSize: model.config.hiddenSize), (golden["dimension"] as! NSNumber).intValue, name)
            for c in golden["cases"] as! [[String: Any]] {
                let kwargs = c["kwargs"] as! [String: Any]
                let embedder = try Embedder(model: model, tokenizer: TaskFixtures.tokenizer, normalize: kwargs["normalize_embeddings"] as? Bool,
                                            promptName: kwargs["prompt_name"] as? String,
                                            dimensions: (kwargs["truncate_dim"] as? NSNumber)?.intValue)
                let expected = (c["embeddings"] as! [[NSNumber]]).map { $0.map(\.floatValue) }
                let label = "\(name) \(c["name"] as! String)"
                for (i, e) in try embedder.embed(texts).enumerated() {
                    XCTAssertEqual(e.vector.count, expected[i].count, label)
                    let (cosine, difference) = Self.compare(e.vector, expected[i])
                    XCTAssertGreaterThanOrEqual(cosine, 0.9999, "\(label) text \(i)")
                    XCTAssertLessThanOrEqual(difference, 1e-4, "\(label) text \(i)")
                    worstCosine = min(worstCosine, cosine)
                    worstDifference = max(worstDifference, difference)
                    compared += 1
                }
            }
            // Without a default prompt the token counts are the tokenizer's (truncation to max_seq_length included).
            if golden["default_prompt_name"] is NSNull {
                let counts = try Embedder(model: model, tokenizer: TaskFixtures.tokenizer).embed(texts).map(\.tokenCount)
                XCTAssertEqual(counts, (golden["token_counts"] as! [NSNumber]).map(\.intValue), name)
            }
        }
        print("sentence-transformers parity: \(compared) vectors, min cosine \(worstCosine), max |difference| \(worstDifference)")
    }

    func testRecordedPipelines() throws {
        let new = try XCTUnwrap(TaskFixtures.modelWithoutTokenizer("st/st6-mean-dense-normalize").config.sentenceEmbedding)
        XCTAssertEqual(new.pooling, [.mean])
        XCTAssertEqual(new.dense, [.init(inFeatures: 16, outFeatures: 8, bias: true, activation: .tanh)])
        XCTAssertTrue(new.normalize)
        XCTAssertEqual(new.prompts["query"], "search_query: ")
        XCTAssertNil(new.defaultPrompt)
        XCTAssertEqual(new.similarity, "cosine")
        let multi = try TaskFixtures.modelWithoutTokenizer("st/st6-multi-relu").config
        XCTAssertEqual(multi.sentenceEmbedding?.pooling, [.cls, .mean, .max])
        XCTAssertNil(multi.embeddingPooling, "not expressible in the legacy keys")
        let residual = try XCTUnwrap(TaskFixtures.modelWithoutTokenizer("st/st6-lasttoken-residual").config.sentenceEmbedding)
        XCTAssertEqual(residual.dense.map(\.activation), [.gelu, .silu, .sigmoid])
        XCTAssertEqual(residual.dense.map(\.hasResidualProjection), [false, true, false])
        let prompted = try XCTUnwrap(TaskFixtures.modelWithoutTokenizer("st/st6-weightedmean-noprompt").config.sentenceEmbedding)
        XCTAssertFalse(prompted.includePrompt)
        XCTAssertEqual(prompted.defaultPrompt, "query")
        let old = try TaskFixtures.modelWithoutTokenizer("st/st2-cls-weightedmean").config
        XCTAssertEqual(old.sentenceEmbedding?.pooling, [.cls, .weightedMean])
        XCTAssertEqual(old.sentenceEmbedding?.maxLength, 512)
        // The simple case keeps writing the keys older readers know.
        let simple = try TaskFixtures.modelWithoutTokenizer("st-mean-normalize").config
        XCTAssertEqual(simple.embeddingPooling, .mean)
        XCTAssertEqual(simple.embeddingNormalize, true)
        XCTAssertEqual(simple.sentenceEmbedding?.pooling, [.mean])
    }

    func testOptionsAndRefusals() throws {
        let model = try TaskFixtures.modelWithoutTokenizer("st/st6-mean-dense-normalize")
        XCTAssertThrowsError(try Embedder(model: model, tokenizer: TaskFixtures.tokenizer, promptName: "passage")) { error in
            XCTAssertEqual("\(error)", "no prompt named 'passage'; the model's prompts: document, query")
        }
        XCTAssertThrowsError(try Embedder(model: model, tokenizer: TaskFixtures.tokenizer, dimensions: 9)) { error in
            XCTAssertTrue("\(error)".contains("between 1 and the embedding width 8"), "\(error)")
        }
        let literal = try Embedder(model: model, tokenizer: TaskFixtures.tokenizer, prompt: "search_query: ").embed("A list")
        let named = try Embedder(model: model, tokenizer: TaskFixtures.tokenizer, promptName: "query").embed("A list")
        XCTAssertEqual(literal.vector, named.vector)
        // "" turns off a default prompt.
        let prompted = try TaskFixtures.modelWithoutTokenizer("st/st6-weightedmean-noprompt")
        XCTAssertEqual(try Embedder(model: prompted, tokenizer: TaskFixtures.tokenizer).prompt, "query: ")
        let plain = try Embedder(model: prompted, tokenizer: TaskFixtures.tokenizer, prompt: "").embed("A list")
        XCTAssertNotEqual(plain.vector, try Embedder(model: prompted, tokenizer: TaskFixtures.tokenizer).embed("A list").vector)
        // Overriding the pooling with another width skips the Dense modules that no longer fit.
        let multi = try Embedder(model: TaskFixtures.modelWithoutTokenizer("st/st6-multi-relu"), tokenizer: TaskFixtures.tokenizer, pooling: .mean)
        XCTAssertFalse(multi.appliesDense)
        XCTAssertEqual(multi.dimension, 16)
        XCTAssertEqual(try Embedder(model: model, tokenizer: TaskFixtures.tokenizer, pooling: .cls).dimension, 8)
    }

    func testOlderCallFormsStillCompile() throws {
        // Hosts written against the CLS/mean-only Embedder (the server, Examples/EmbedderDemo).
        let model = try TaskFixtures.modelWithoutTokenizer("st/st6-mean-dense-normalize")
        let configured: ModelConfig.Pooling? = .cls
        let a = try Embedder(model: model, tokenizer: TaskFixtures.tokenizer, pooling: configured, normalize: false)
        XCTAssertEqual(a.pooling.rawValue, "cls")
        let b = try Embedder(model: model, tokenizer: TaskFixtures.tokenizer, pooling: .mean, normalize: true)
        XCTAssertEqual(b.pooling, [.mean])
        XCTAssertEqual(try Embedder(model: TaskFixtures.modelWithoutTokenizer("st/st6-multi-relu"), tokenizer: TaskFixtures.tokenizer)
            .pooling.rawValue, "cls+mean+max")
    }

    static func compare(_ a: [Float], _ b: [Float]) -> (cosine: Double, difference: Float) {
        var dot = 0.0, na = 0.0, nb = 0.0
        var difference: Float = 0
        for (x, y) in zip(a, b) {
            dot += Double(x) * Double(y); na += Double(x) * Double(x); nb += Double(y) * Double(y)
            difference = max(difference, abs(x - y))
        }
        let cosine = na == 0 && nb == 0 ? 1 : dot / max((na * nb).squareRoot(), 1e-30)
        return (cosine, difference)
    }
}
