import Foundation
import MBConverter
import MBFormat
import MBRuntime
import MBTokenizer
import MBValidator
import XCTest

/// The targets on the bundled trained checkpoint, measured on the built-in text set with
/// its deterministic 15% masking (numbers in Docs/quantization.md).
final class TrainedModelTests: XCTestCase {
    func testInt8AndFp16MeetTargetsOnTrainedModel() throws {
        let prepared = try Prepared(Paths.bundledModel)
        let reference = try ModernBert(contentsOf: prepared.fp32)
        let tokenizer = try Tokenizer(contentsOf: Paths.bundledModel.appendingPathComponent("tokenizer.json"))
        let input = ValidationInput.texts(DefaultTexts.all, tokenizer: tokenizer, maxLength: 512, source: "default")
            .masking(rate: 0.15, maskId: try XCTUnwrap(tokenizer.specialTokens.mask),
                     exclude: Set([tokenizer.specialTokens.cls, tokenizer.specialTokens.sep].compactMap { $0 }))
        XCTAssertGreaterThan(input.maskedCount, 100)
        let validator = try Validator(reference: reference, input: input)

        let (int8File, report) = try prepared.quantized(.init(target: .int8))
        // The target is about the model: the compiled tokenizer (TKBP, 1.3 MiB here, a derived copy of the
        // tokenizer.json that is counted) is left out; with it this small model's file is 28.6% of fp32.
        let compiled = try XCTUnwrap(try ModelFile(url: int8File).header.section(.compiledTokenizer)).storedLength
        XCTAssertLessThanOrEqual(Double(report.bytesWritten - Int(compiled)), 0.27 * Double(report.fp32Bytes), "int8 file size")
        for mode in ExecutionMode.allCases {
            let m = try validator.compare(try ModernBert(contentsOf: int8File, mode: mode))
            let limits = mode == .w8a32 ? (top1: 0.99, cosine: 0.999) : (top1: 0.98, cosine: 0.999)
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(m.logitsTop1Agreement), limits.top1, "\(mode) top-1")
            XCTAssertGreaterThanOrEqual(m.hiddenCosineMean, limits.cosine, "\(mode) cosine")
            XCTAssertLessThan(try XCTUnwrap(m.klDivergenceMean), 0.01, "\(mode) KL")
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(m.maskedTop1Agreement), mode == .w8a32 ? 0.97 : 0.95, "\(mode) masked top-1")
            print("trained int8 \(mode): top1 \(m.logitsTop1Agreement!) masked \(m.maskedTop1Agreement!) cos \(m.hiddenCosineMean) min \(m.hiddenCosineMin) KL \(m.klDivergenceMean!)")
        }

        let (fp16File, _) = try prepared.quantized(.init(target: .fp16), name: "f16.mbc")
        let m = try validator.compare(try ModernBert(contentsOf: fp16File))
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(m.logitsTop1Agreement), 0.999, "fp16 top-1")
        XCTAssertGreaterThanOrEqual(m.hiddenCosineMean, 0.99999, "fp16 cosine")
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
