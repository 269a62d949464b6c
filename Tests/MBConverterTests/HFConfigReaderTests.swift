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

    private func parse(_ json: [String: Any]) throws -> ModelConfig {
        try HFConfigReader.parse(try JSONSerialization.data(withJSONObject: json), path: "test/config.json")
    }
}
