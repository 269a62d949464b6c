import Foundation
import MBConverter
import MBFormat
import MBRuntime
import XCTest

/// Every layer's hidden states and the head's logits agree with transformers (fp32) within 1e-4,
/// for whole mixed-length batches and for each sequence alone.
final class GoldenParityTests: XCTestCase {
    static let tolerance = 1e-4

    func testSmallFixturesMatchTransformers() throws {
        for name in TestPaths.smallFixtures {
            let dir = TestPaths.fixtures.appendingPathComponent(name)
            try checkParity(checkpoint: dir, golden: dir.appendingPathComponent("golden.safetensors"), label: name)
        }
    }

    func testBundledTrainedModelMatchesTransformers() throws {
        try checkParity(checkpoint: TestPaths.bundledModel,
                        golden: TestPaths.fixtures.appendingPathComponent("mini-pydocs-golden.safetensors"),
                        label: "mini-pydocs-h256-l6")
    }

    /// A 742-token text on the trained model (Scripts/make_golden.py): every query block of its global
    /// layers sees more than 512 keys, so attention runs through its key chunks with an online
    /// softmax, which the shorter golden inputs never reach.
    func testLongInputMatchesTransformers() throws {
        let golden = try Golden(TestPaths.fixtures.appendingPathComponent("mini-pydocs-long-golden.safetensors"))
        let model = try convertAndLoad(TestPaths.bundledModel)
        let ids = try golden.inputIds(0)
        XCTAssertGreaterThan(ids.count, 512, "the long golden must reach the chunked attention")
        let out = try model.forward([ids])
        let hidden = relativeError(out.rows(of: 0, in: out.lastHiddenState), try golden.floats("last_hidden_state.0"))
        XCTAssertLessThanOrEqual(hidden, Self.tolerance, "last hidden state")
        let logits = try XCTUnwrap(model.head).logits(out, sequence: 0, positions: try golden.logitsRows(0))
        let logitsError = relativeError(logits, try golden.floats("logits.0"))
        XCTAssertLessThanOrEqual(logitsError, Self.tolerance, "logits")
        print("parity long (\(ids.count) tokens): hidden \(hidden), logits \(logitsError)")
    }

    /// fp16 storage rounds weights (relative error up to 2^-11), so it is held to a looser bound than
    /// the fp32 parity; it must still track fp32 closely. Measured: 1.36e-3 worst over the 5 sequences,
    /// the same on all four x86 tiers (the error is the weights' rounding; the fp32 sums differ by
    /// ~1e-6). The bound, 4e-3, is ~3x that: it holds for a compiler's or CPU's different summation
    /// order, while weights rounded to bf16's 8 bits instead (~8x the error) or a dropped fp16 tensor fail.
    func testFloat16StorageStaysClose() throws {
        let dir = TestPaths.fixtures.appendingPathComponent("mlm-legacy-f32")
        let golden = try Golden(dir.appendingPathComponent("golden.safetensors"))
        let model = try convertAndLoad(dir, dtype: .f16)
        XCTAssertEqual(model.file.record("layers.0.attn.Wqkv.weight")?.dtype, .f16)
        XCTAssertEqual(model.file.record("final_norm.weight")?.dtype, .f32)
        let sequences = try (0..<golden.sequenceCount).map { try golden.inputIds($0) }
        let out = try model.forward(sequences)
        var worst = 0.0
        for i in sequences.indices {
            let err = relativeError(out.rows(of: i, in: out.lastHiddenState), try golden.floats("last_hidden_state.\(i)"))
            worst = max(worst, err)
            XCTAssertLessThan(err, 4e-3, "f16 sequence \(i)")
        }
        print("parity f16 storage: worst relative error \(worst) (bound 4e-3, measured 1.36e-3)")
    }

    // MARK: - Helpers

    private func convertAndLoad(_ checkpoint: URL, dtype: Converter.WeightDType = .f32) throws -> ModernBert {
        let out = try TestPaths.temporaryDirectory().appendingPathComponent("model.mbc")
        _ = try Converter(directory: checkpoint).convert(to: out, dtype: dtype)
        return try ModernBert(contentsOf: out)
    }

    private func checkParity(checkpoint: URL, golden goldenURL: URL, label: String) throws {
        let golden = try Golden(goldenURL)
        let model = try convertAndLoad(checkpoint)
        let sequences = try (0..<golden.sequenceCount).map { try golden.inputIds($0) }
        XCTAssertGreaterThan(sequences.count, 0, "\(label): golden sequences")
        XCTAssertGreaterThan(sequences.map(\.count).max() ?? 0, model.config.localAttention,
                             "\(label): golden inputs must be longer than the sliding window")

        let batch = try model.forward(sequences, outputHiddenStates: true)
        var worst = 0.0
        for i in sequences.indices {
            worst = max(worst, try compare(batch, sequence: i, batchIndex: i, model: model, golden: golden, label: "\(label) batch"))
            let alone = try model.forward([sequences[i]], outputHiddenStates: true)
            worst = max(worst, try compare(alone, sequence: i, batchIndex: 0, model: model, golden: golden, label: "\(label) single"))
        }
        print("parity \(label): worst relative error \(worst)")
    }

    /// Compares one sequence of an output with the golden tensors; returns the worst error seen.
    private func compare(_ out: EncoderOutput, sequence i: Int, batchIndex b: Int, model: ModernBert,
                         golden: Golden, label: String) throws -> Double {
        var worst = 0.0
        func check(_ name: String, _ ours: some Collection<Float>, _ reference: [Float]) {
            let err = relativeError(ours, reference)
            worst = max(worst, err)
            XCTAssertLessThanOrEqual(err, Self.tolerance, "\(label): \(name)")
        }
        let states = try XCTUnwrap(out.hiddenStates)
        XCTAssertEqual(states.count, model.config.numLayers + 1)
        for (layer, packed) in states.enumerated() {
            check("hidden_states.\(layer).\(i)", out.rows(of: b, in: packed), try golden.floats("hidden_states.\(layer).\(i)"))
        }
        check("last_hidden_state.\(i)", out.rows(of: b, in: out.lastHiddenState), try golden.floats("last_hidden_state.\(i)"))
        // Every fixture with a head has logits for every sequence, and only those: a head that failed
        // to load, or a golden file that lost its logits, fails here instead of skipping the check.
        if golden.has("logits.\(i)") {
            let head = try XCTUnwrap(model.head, "\(label): the golden file has logits.\(i) but the model has no head")
            let logits = head.logits(out, sequence: b, positions: try golden.logitsRows(i))
            check("logits.\(i)", logits, try golden.floats("logits.\(i)"))
        } else {
            XCTAssertNil(model.head, "\(label): the model has a head but the golden file has no logits.\(i) to check it")
        }
        return worst
    }
}
