import Foundation
import MBConverter
import MBFormat
import MBRuntime
import MBValidator
import XCTest

/// Quantized small fixtures (every head type and storage dtype) stay close to fp32 in both modes.
final class FixtureQuantizationTests: XCTestCase {
    static let fixtures = ["mlm-legacy-f32", "mlm-untied-bf16", "seqcls-mean-f16", "tokcls-f32", "qa-bf16", "base-sharded"]

    func testInt8FixturesTrackFp32InBothModes() throws {
        for name in Self.fixtures {
            let prepared = try Prepared(Paths.fixtures.appendingPathComponent(name))
            let (file, report) = try prepared.quantized(.init(target: .int8))
            let q = try ModelFile(url: file)
            XCTAssertEqual(q.record("layers.0.attn.Wqkv.weight")?.quantization, .int8PerRow, name)
            XCTAssertEqual(q.record("embeddings.tok_embeddings.weight")?.dtype, .i8, name)
            XCTAssertEqual(q.record("final_norm.weight")?.dtype, .f32, name)
            XCTAssertLessThan(report.bytesWritten, report.fp32Bytes / 3, name)

            let reference = try ModernBert(contentsOf: prepared.fp32)
            let c = reference.config
            let input = ValidationInput(sequences: randomIds(vocab: c.vocabSize, lengths: [40, 9, 70]), source: "random")
            let validator = try Validator(reference: reference, input: input)
            for mode in ExecutionMode.allCases {
                let m = try validator.compare(try ModernBert(contentsOf: file, mode: mode))
                // Random-init weights are the hard case for int8 (no outliers to absorb error); measured >= 0.9995.
                XCTAssertGreaterThanOrEqual(m.hiddenCosineMean, 0.999, "\(name) \(mode)")
                XCTAssertGreaterThanOrEqual(m.hiddenCosineMin, 0.99, "\(name) \(mode)")
                XCTAssertEqual(m.perLayer.count, c.numLayers + 1)
                // Pooled heads give one row per sequence (3 here): too few rows for a rate on random weights.
                if c.architecture == .tokenClassification || c.architecture == .questionAnswering {
                    XCTAssertGreaterThanOrEqual(try XCTUnwrap(m.labelAgreement, name), 0.9, "\(name) \(mode)")
                }
            }
        }
    }

    func testW8A8DiffersFromWeightOnlyButStaysClose() throws {
        let prepared = try Prepared(Paths.fixtures.appendingPathComponent("mlm-legacy-f32"))
        let (file, _) = try prepared.quantized(.init(target: .int8))
        let ids = randomIds(vocab: 1000, lengths: [33, 12])
        let a = try ModernBert(contentsOf: file, mode: .w8a32).forward(ids)
        let b = try ModernBert(contentsOf: file, mode: .w8a8).forward(ids)
        XCTAssertNotEqual(a.lastHiddenState, b.lastHiddenState, "w8a8 must actually run the integer path")
        let input = ValidationInput(sequences: ids, source: "random")
        let m = try Validator(reference: try ModernBert(contentsOf: file, mode: .w8a32), input: input).compare(try ModernBert(contentsOf: file, mode: .w8a8))
        XCTAssertGreaterThan(m.hiddenCosineMean, 0.999)
    }

    func testKeepPatternsAndFp16() throws {
        let prepared = try Prepared(Paths.fixtures.appendingPathComponent("mlm-legacy-f32"))
        let (file, _) = try prepared.quantized(.init(target: .int8, keep: ["layers.0.*", "layers.*.mlp.Wo"], keepPrecision: .f32))
        let q = try ModelFile(url: file)
        XCTAssertEqual(q.record("layers.0.attn.Wqkv.weight")?.dtype, .f32)
        XCTAssertEqual(q.record("layers.3.mlp.Wo.weight")?.dtype, .f32)
        XCTAssertEqual(q.record("layers.3.mlp.Wi.weight")?.dtype, .i8)
        let (half, _) = try prepared.quantized(.init(target: .fp16), name: "h.mbc")
        XCTAssertEqual(try ModelFile(url: half).record("layers.3.mlp.Wi.weight")?.dtype, .f16)
        XCTAssertEqual(try ModelFile(url: half).record("embeddings.tok_embeddings.weight")?.dtype, .f16)
        XCTAssertTrue(QuantizationPlan.matches(pattern: "head.dense", name: "head.dense.weight"))
        XCTAssertFalse(QuantizationPlan.matches(pattern: "layers.1.*", name: "layers.11.attn.Wo.weight"))
    }

    func testQuantizedFileCannotBeRequantizedOrOverwriteItsInput() throws {
        let prepared = try Prepared(Paths.fixtures.appendingPathComponent("mlm-legacy-f32"))
        let (file, _) = try prepared.quantized(.init(target: .int8))
        let spec = try XCTUnwrap(ModelTensors.expected(for: try ModelFile(url: file).config).first { $0.name == "layers.0.attn.Wo.weight" })
        XCTAssertThrowsError(try ModelFileTensorSource(url: file).floats(spec))
        let source = try ModelFileTensorSource(url: prepared.fp32)
        XCTAssertThrowsError(try Quantizer(source: source, plan: QuantizationPlan(config: source.config, options: .init(target: .int8)))
            .write(to: prepared.fp32))
    }

    /// --auto with an unreachable-by-int8 limit keeps the most sensitive layers until it holds.
    func testAutoKeepsSensitiveLayersUntilThresholdsHold() throws {
        let prepared = try Prepared(Paths.fixtures.appendingPathComponent("mlm-legacy-f32"))
        let reference = try ModelFile(url: prepared.fp32)
        let input = ValidationInput(sequences: randomIds(vocab: 1000, lengths: [40, 25]), source: "random")
        let validator = try Validator(reference: try ModernBert(file: reference), input: input)
        let allInt8 = try validator.compare(try ModernBert(contentsOf: try prepared.quantized(.init(target: .int8)).0))
        // Demand half of the remaining error gone: some layers must be kept, not all.
        let limit = 1 - (1 - allInt8.hiddenCosineMean) / 2
        let plan = QuantizationPlan(config: reference.config, options: .init(target: .int8))
        let outcome = try SensitivityAnalysis(reference: reference, plan: plan, mode: .w8a32).run { model in
            let m = try validator.compare(model)
            return .init(score: 1 - m.hiddenCosineMean, passes: m.hiddenCosineMean >= limit, summary: "")
        }
        XCTAssertFalse(outcome.initial.passes)
        XCTAssertTrue(outcome.final.passes)
        XCTAssertFalse(outcome.kept.isEmpty)
        XCTAssertLessThan(outcome.kept.count, plan.int8Tensors.count)
        XCTAssertEqual(outcome.kept, Array(outcome.ranking.prefix(outcome.kept.count).map(\.name)), "kept in sensitivity order")
        let out = prepared.dir.appendingPathComponent("auto.mbc")
        _ = try Quantizer(source: ModelFileTensorSource(file: reference), plan: outcome.plan).write(to: out)
        let written = try ModelFile(url: out)
        for name in outcome.kept { XCTAssertEqual(written.record(name)?.dtype, .f16, name) }
        let final = try validator.compare(try ModernBert(file: written))
        XCTAssertGreaterThanOrEqual(final.hiddenCosineMean, limit)
    }
}
