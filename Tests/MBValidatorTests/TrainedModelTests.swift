import Foundation
import MBConverter
import MBFormat
import MBRuntime
import MBTokenizer
import MBValidator
import XCTest

/// The targets on the bundled trained checkpoint, measured on the built-in text set with its
/// deterministic 15% masking (figures and how the limits were set: Docs/quantization.md).
///
/// Limits are the targets or the tool's own defaults, each below the value measured on every
/// kernel tier this CPU can run (portable, avx2, avx-vnni, avx512, avx512-vnni); the comment on each says the
/// measured value and the margin.
final class TrainedModelTests: XCTestCase {
    private func builtInInput(_ tokenizer: Tokenizer) throws -> ValidationInput {
        ValidationInput.texts(DefaultTexts.all, tokenizer: tokenizer, maxLength: 512, source: "built-in text set")
            .masking(rate: 0.15, maskId: try XCTUnwrap(tokenizer.specialTokens.mask),
                     exclude: Set([tokenizer.specialTokens.cls, tokenizer.specialTokens.sep].compactMap { $0 }))
    }

    /// `quantize --int8` as the command runs it: calibration, smoothing, candidates, the recorded default.
    static func defaultInt8(_ prepared: Prepared, validator: Validator) throws -> (URL, Quantizer.Report, QuantizationRecord) {
        let reference = try ModelFile(url: prepared.fp32)
        let source = ModelFileTensorSource(file: reference)
        let plan = QuantizationPlan(config: source.config, options: .init(target: .int8))
        let thresholds = Thresholds()
        let outcome = try Int8ModeSelection(base: source, reference: reference, plan: plan, sequences: validator.input.sequences,
                                            workDirectory: prepared.dir.appendingPathComponent("candidates"))
            .run(calibration: .init(source: "built-in", sequences: validator.input.sequences.count, tokens: validator.input.tokenCount,
                                    maskedPositions: validator.input.maskedCount),
                 thresholds: [], evaluate: { model in
                     let m = try validator.compare(model)
                     let damage = (1 - m.hiddenCosineMean) + (m.klDivergenceMean ?? 0) + (1 - (m.logitsTop1Agreement ?? 1))
                         + (1 - (m.maskedTop1Agreement ?? 1))
                     return .init(passes: thresholds.checks(m).allSatisfy(\.pass), score: damage, metrics: [:], summary: "")
                 })
        let out = prepared.dir.appendingPathComponent("default-int8.mbc")
        let report = try Quantizer(source: outcome.source, plan: outcome.plan, record: outcome.record).write(to: out)
        return (out, report, outcome.record)
    }

    func testDefaultInt8MeetsTargetsOnTrainedModel() throws {
        let prepared = try Prepared(Paths.bundledModel)
        let tokenizer = try Tokenizer(contentsOf: Paths.bundledModel.appendingPathComponent("tokenizer.json"))
        let input = try builtInInput(tokenizer)
        XCTAssertGreaterThan(input.maskedCount, 100)
        let validator = try Validator(reference: try ModernBert(contentsOf: prepared.fp32, mode: .w8a32), input: input)

        let (file, report, record) = try Self.defaultInt8(prepared, validator: validator)
        // The whole file, tokenizer (tokenizer.json and its compiled form) included: measured 27.1% (27.7% with
        // TKBP layout version 2).
        XCTAssertLessThanOrEqual(Double(report.bytesWritten), 0.30 * Double(report.fp32Bytes), "int8 file size")
        // The fastest passing candidate is W8A8 (measured: every W8A8 smoothed candidate passes, plain W8A8 fails).
        XCTAssertEqual(record.defaultMode, "w8a8")
        XCTAssertEqual(try ModernBert(contentsOf: file).mode, .w8a8, "the file's recorded mode is the default")

        defer { KernelInfo.removeLimit() }
        for tier in KernelInfo.availableTiers {
            KernelInfo.limit(to: tier)
            let m = try validator.compare(try ModernBert(contentsOf: file))
            print("trained int8 default (\(record.defaultMode)) at \(tier.name): top1 \(m.logitsTop1Agreement!) masked \(m.maskedTop1Agreement!) cos \(m.hiddenCosineMean) min \(m.hiddenCosineMin) KL \(m.klDivergenceMean!)")
            // Measured: portable 0.9938, avx2 0.9920 (9 of 1125 differ), avx512 and avx512-vnni 0.9929; the
            // issue's target 0.99 allows 11.
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(m.logitsTop1Agreement), 0.99, "\(tier.name) top-1")
            // portable 0.9939, the others 0.9877 (2 of 163 masked positions differ); the tool's default 0.97 allows 4.
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(m.maskedTop1Agreement), Thresholds().minMaskedTop1!, "\(tier.name) masked top-1")
            // 0.999931 on every tier (min 0.99972); the target 0.9999 (the tool's default is 0.999).
            XCTAssertGreaterThanOrEqual(m.hiddenCosineMean, 0.9999, "\(tier.name) cosine")
            // 1.63e-4 to 1.66e-4 across tiers (weight-only int8: 2.95e-4; ONNX Runtime's int8: 1.3e-3): the limit
            // 3e-4 is weight-only's KL, so W8A8 must stay more accurate than it, with a margin of 1.8x.
            XCTAssertLessThan(try XCTUnwrap(m.klDivergenceMean), 3e-4, "\(tier.name) KL")
        }
    }

    func testPlainInt8AndFp16OnTrainedModel() throws {
        let prepared = try Prepared(Paths.bundledModel)
        let tokenizer = try Tokenizer(contentsOf: Paths.bundledModel.appendingPathComponent("tokenizer.json"))
        let validator = try Validator(reference: try ModernBert(contentsOf: prepared.fp32, mode: .w8a32), input: try builtInInput(tokenizer))
        // Plain int8 (no calibration) weight-only: top-1 0.9902, masked 0.9939, cos 0.99996, KL 2.95e-4.
        let (int8File, report) = try prepared.quantized(.init(target: .int8))
        XCTAssertLessThanOrEqual(Double(report.bytesWritten), 0.30 * Double(report.fp32Bytes), "int8 file size")
        XCTAssertNil(try ModelFile(url: int8File).quantizationRecord, "an uncalibrated file records no mode")
        let m = try validator.compare(try ModernBert(contentsOf: int8File))
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(m.logitsTop1Agreement), 0.99, "w8a32 top-1")
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(m.maskedTop1Agreement), Thresholds().minMaskedTop1!, "w8a32 masked top-1")
        XCTAssertGreaterThanOrEqual(m.hiddenCosineMean, 0.9999, "w8a32 cosine")
        XCTAssertLessThan(try XCTUnwrap(m.klDivergenceMean), 0.001, "w8a32 KL")

        let (fp16File, _) = try prepared.quantized(.init(target: .fp16), name: "f16.mbc")
        let f = try validator.compare(try ModernBert(contentsOf: fp16File))
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(f.logitsTop1Agreement), 0.999, "fp16 top-1")
        XCTAssertGreaterThanOrEqual(f.hiddenCosineMean, 0.99999, "fp16 cosine")
    }

    /// The 742-token golden text (GoldenParityTests.testLongInputMatchesTransformers checks fp32): the
    /// int8 file in both modes, whose global layers then run attention in key chunks (W8A8: with bf16
    /// products where the CPU has AVX-512 BF16), stays as close to transformers as on short texts.
    func testInt8TracksFp32OnLongInput() throws {
        let prepared = try Prepared(Paths.bundledModel)
        let golden = try SafeTensorsFile(url: Paths.fixtures.appendingPathComponent("mini-pydocs-long-golden.safetensors"))
        let ids = try golden.rawBytes("input_ids.0").bindMemory(to: Int32.self).map { $0 }
        let reference = try golden.floats("last_hidden_state.0")
        XCTAssertGreaterThan(ids.count, 512)
        let width = reference.count / ids.count
        let (int8File, _) = try prepared.quantized(.init(target: .int8))
        for mode in ExecutionMode.allCases {
            let out = try ModernBert(contentsOf: int8File, mode: mode).forward([ids])
            let ours = Array(out.rows(of: 0, in: out.lastHiddenState))
            var (sum, worst) = (0.0, 1.0)
            for t in ids.indices {
                var (dot, a, b) = (0.0, 0.0, 0.0)
                for d in 0..<width {
                    let (x, y) = (Double(ours[t * width + d]), Double(reference[t * width + d]))
                    dot += x * y; a += x * x; b += y * y
                }
                let cosine = dot / (a * b).squareRoot()
                sum += cosine
                worst = min(worst, cosine)
            }
            let mean = sum / Double(ids.count)
            XCTAssertGreaterThanOrEqual(mean, 0.999, "\(mode) mean cosine")
            XCTAssertGreaterThanOrEqual(worst, 0.99, "\(mode) min cosine")
            print("trained int8 \(mode), \(ids.count) tokens: cos \(mean) min \(worst)")
        }
    }
}
