import Foundation
import MBConverter
import MBFormat
import XCTest

/// Both config dialects (and files that mix them) read as transformers 5.x reads them.
final class HFConfigReaderTests: XCTestCase {
    private let configs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/configs")

    private func read(_ name: String) throws -> ModelConfig {
        try HFConfigReader.read(contentsOf: configs.appendingPathComponent(name))
    }

    private func pattern(_ c: ModelConfig) -> String {
        c.layerTypes.map { $0 == .global ? "G" : "l" }.joined()
    }

    func testTransformers5Dialect() throws {
        let c = try read("modernbert-base-5x.json")
        XCTAssertEqual(c.architecture, .sequenceClassification)
        XCTAssertEqual(pattern(c), "GllGllGllGllGllGllGllG")
        XCTAssertEqual(c.globalRopeTheta, 160_000); XCTAssertEqual(c.localRopeTheta, 10_000)
        XCTAssertEqual(c.hiddenSize, 768); XCTAssertEqual(c.numLayers, 22); XCTAssertEqual(c.numHeads, 12)
        XCTAssertEqual(c.halfWindow, 64); XCTAssertEqual(c.classifierPooling, .mean); XCTAssertEqual(c.numLabels, 2)
    }

    func testHybridKeysAgreeWith5x() throws {
        var hybrid = try read("modernbert-base-hybrid.json")
        let plain = try read("modernbert-base-5x.json")
        hybrid.problemType = plain.problemType
        XCTAssertEqual(hybrid, plain)
    }

    func testTransformers4Dialect() throws {
        let c = try read("mini-pydocs-4x.json")
        XCTAssertEqual(c.architecture, .maskedLM)
        XCTAssertEqual(pattern(c), "GllGll")
        XCTAssertEqual(c.globalRopeTheta, 160_000); XCTAssertEqual(c.localRopeTheta, 10_000)
        XCTAssertEqual(c.localAttention, 128); XCTAssertTrue(c.tieWordEmbeddings)
    }

    /// Ettin's rope_parameters say 160000 for sliding layers while its legacy key says 10000;
    /// transformers 5.x (ground truth) uses rope_parameters.
    func testRopeParametersWinOverLegacyTheta() throws {
        let c = try read("ettin-68m-tokcls.json")
        XCTAssertEqual(c.architecture, .tokenClassification)
        XCTAssertEqual(c.localRopeTheta, 160_000); XCTAssertEqual(c.globalRopeTheta, 160_000)
        XCTAssertEqual(c.numLabels, 107); XCTAssertEqual(c.labels?.first, "B-account_number"); XCTAssertEqual(c.labels?.last, "O")
        XCTAssertEqual(c.maxPositions, 7999); XCTAssertEqual(pattern(c), "GllGllGllGllGllGllG")
    }

    func testLayerTypesWinOverInterval() throws {
        let c = try parse(["layer_types": ["sliding_attention", "full_attention"], "num_hidden_layers": 2,
                           "global_attn_every_n_layers": 1])
        XCTAssertEqual(pattern(c), "lG")
    }

    func testDefaultsMatchModernBertBase() throws {
        let c = try parse([:])
        XCTAssertEqual(c.architecture, .base)
        XCTAssertEqual(c.hiddenSize, 768); XCTAssertEqual(c.intermediateSize, 1152); XCTAssertEqual(c.vocabSize, 50368)
        XCTAssertEqual(pattern(c), "GllGllGllGllGllGllGllG"); XCTAssertEqual(c.hiddenActivation, .gelu)
        XCTAssertEqual(c.normEps, 1e-5)
    }

    func testContradictionsAreClearErrors() throws {
        let cases: [([String: Any], String)] = [
            (["hidden_size": 100, "num_attention_heads": 12], "not divisible"),
            (["num_hidden_layers": 3, "layer_types": ["full_attention"]], "layer_types has 1"),
            (["local_attention": 0], "local_attention"),
            (["hidden_activation": "mish"], "unknown activation \"mish\""),
            (["architectures": ["BertForMaskedLM"]], "BertForMaskedLM"),
            (["model_type": "bert"], "model_type"),
            (["layer_types": ["full_attention", "chunked"], "num_hidden_layers": 2], "chunked"),
            (["rope_parameters": ["full_attention": ["rope_type": "yarn", "rope_theta": 1.0]]], "yarn"),
            (["hidden_size": "768"], "hidden_size must be an integer"),
            (["norm_bias": 1], "norm_bias must be true or false"),
            (["architectures": ["ModernBertForQuestionAnswering"], "num_labels": 3], "num_labels == 2"),
        ]
        for (json, expected) in cases {
            XCTAssertThrowsError(try parse(json), "\(json)") { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains("config.json"), text)
                XCTAssertTrue(text.contains(expected), "\(text) should mention \(expected)")
            }
        }
        XCTAssertThrowsError(try HFConfigReader.parse(Data("{not json".utf8), path: "x/config.json"))
        XCTAssertThrowsError(try HFConfigReader.parse(Data("[1]".utf8), path: "x/config.json"))
    }

    /// Edge values a damaged or hand-edited config can hold: each is an error naming the file and key.
    func testEdgeValuesAreClearErrors() throws {
        let cases: [([String: Any], String)] = [
            (["local_attention": -4, "layer_types": ["full_attention"], "num_hidden_layers": 1], "local_attention must be positive"),
            (["hidden_size": 0], "must be positive"),
            (["num_attention_heads": 0], "must be positive"),
            (["num_hidden_layers": 1_000_000_000], "num_hidden_layers"),
            (["vocab_size": 1e12], "vocab_size must be an integer"),
            (["vocab_size": 3.5], "vocab_size must be an integer"),
            (["norm_eps": -1], "norm_eps"),
            (["global_rope_theta": 0], "rope_theta must be positive"),
            (["max_position_embeddings": 0], "max_position_embeddings"),
            (["hidden_size": 12, "num_attention_heads": 4], "must be even"),
            (["id2label": ["0": "a", "5": "b"]], "id2label key \"5\""),
            (["id2label": ["0": "a", "1": "b"], "num_labels": 3], "num_labels is 3"),
            (["architectures": []], "non-empty list"),
            (["architectures": "ModernBertForMaskedLM"], "non-empty list"),
            (["layer_types": "full_attention"], "layer_types must be a list"),
            (["rope_parameters": 5], "rope_parameters must be an object"),
            (["classifier_pooling": "max"], "classifier_pooling"),
            (["rope_scaling": ["type": "linear"]], "rope_scaling"),
        ]
        for (json, expected) in cases {
            XCTAssertThrowsError(try parse(json), "\(json)") { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains("test/config.json"), text)
                XCTAssertTrue(text.contains(expected), "\(text) should mention \(expected)")
            }
        }
        for bytes in [Data(), Data("null".utf8), Data([0xFF, 0xFE]), Data("{\"hidden_size\": NaN}".utf8)] {
            XCTAssertThrowsError(try HFConfigReader.parse(bytes, path: "x/config.json")) { error in
                XCTAssertTrue("\(error)".contains("x/config.json"), "\(error)")
            }
        }
    }

    private func parse(_ json: [String: Any]) throws -> ModelConfig {
        try HFConfigReader.parse(try JSONSerialization.data(withJSONObject: json), path: "test/config.json")
    }
}
