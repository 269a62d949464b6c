import Foundation
import MBConverter
import MBFormat
import XCTest

/// The configs of the ModernBERT family's published shapes (Fixtures/configs, PROVENANCE.md) read as
/// transformers 5.x reads them, and imply the tensors transformers builds: the parameter counts below were
/// computed by `transformers.ModernBertForMaskedLM` / `ModernBertModel` from the same files (on the meta
/// device) and match the published sizes (Ettin 17M ... 1B, mmBERT 140M / 307M, ModernBERT-large 395M,
/// granite-embedding-english-r2 149M). The full-model parity runs on demand: `Scripts/shapes_parity.py`.
final class ShapeConfigsTests: XCTestCase {
    private let configs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/configs")

    private struct Expected {
        var layers: Int, hidden: Int, intermediate: Int, heads: Int, vocab: Int
        var global: Double, local: Double, positions: Int, parameters: Int, maskedLM: Bool = true
    }

    private let shapes: [String: Expected] = [
        "ettin-encoder-17m": .init(layers: 7, hidden: 256, intermediate: 384, heads: 4, vocab: 50368,
                                   global: 160_000, local: 160_000, positions: 7999, parameters: 16_913_600),
        "ettin-encoder-32m": .init(layers: 10, hidden: 384, intermediate: 576, heads: 6, vocab: 50368,
                                   global: 160_000, local: 160_000, positions: 7999, parameters: 32_081_344),
        "ettin-encoder-68m": .init(layers: 19, hidden: 512, intermediate: 768, heads: 8, vocab: 50368,
                                   global: 160_000, local: 160_000, positions: 7999, parameters: 68_457_664),
        "ettin-encoder-150m": .init(layers: 22, hidden: 768, intermediate: 1152, heads: 12, vocab: 50368,
                                    global: 160_000, local: 160_000, positions: 7999, parameters: 149_655_232),
        "ettin-encoder-400m": .init(layers: 28, hidden: 1024, intermediate: 2624, heads: 16, vocab: 50368,
                                    global: 160_000, local: 160_000, positions: 7999, parameters: 395_881_664),
        "ettin-encoder-1b": .init(layers: 28, hidden: 1792, intermediate: 3840, heads: 28, vocab: 50368,
                                  global: 160_000, local: 160_000, positions: 7999, parameters: 1_031_314_112),
        "mmbert-small": .init(layers: 22, hidden: 384, intermediate: 1152, heads: 6, vocab: 256_000,
                              global: 160_000, local: 160_000, positions: 8192, parameters: 140_897_536),
        "mmbert-base": .init(layers: 22, hidden: 768, intermediate: 1152, heads: 12, vocab: 256_000,
                             global: 160_000, local: 160_000, positions: 8192, parameters: 307_786_240),
        "modernbert-large": .init(layers: 28, hidden: 1024, intermediate: 2624, heads: 16, vocab: 50368,
                                  global: 160_000, local: 10_000, positions: 8192, parameters: 395_881_664),
        "granite-embedding-english-r2": .init(layers: 22, hidden: 768, intermediate: 1152, heads: 12, vocab: 50368,
                                              global: 160_000, local: 10_000, positions: 8192, parameters: 149_014_272,
                                              maskedLM: false),
    ]

    func testEveryShapeReadsLikeTransformers() throws {
        for (name, e) in shapes.sorted(by: { $0.key < $1.key }) {
            let c = try HFConfigReader.read(contentsOf: configs.appendingPathComponent("\(name).json"))
            XCTAssertEqual([c.numLayers, c.hiddenSize, c.intermediateSize, c.numHeads, c.vocabSize, c.maxPositions],
                           [e.layers, e.hidden, e.intermediate, e.heads, e.vocab, e.positions], name)
            XCTAssertEqual(c.globalRopeTheta, e.global, name)
            XCTAssertEqual(c.localRopeTheta, e.local, name)
            XCTAssertEqual(c.architecture, e.maskedLM ? .maskedLM : .base, name)
            XCTAssertEqual(c.headDim, 64, name)
            XCTAssertEqual(c.localAttention, 128, name)
            // Every third layer global, starting with the first (global_attn_every_n_layers 3).
            XCTAssertEqual(c.layerTypes.enumerated().filter { $0.element == .global }.map(\.offset),
                           Array(stride(from: 0, to: e.layers, by: 3)), name)
            let parameters = ModelTensors.expected(for: c).map { $0.shape.reduce(1, *) }.reduce(0, +)
            XCTAssertEqual(parameters, e.parameters, "\(name): tensors the config implies vs transformers' parameters")
        }
        XCTAssertEqual(Set(shapes.keys).count, 10)
    }
}
