import Foundation
import MBConverter
import MBFormat
import MBRuntime
import MBValidator
import XCTest

/// The command line's contract: exit 0 when thresholds hold, 1 when any fails, and flags move the limits.
final class ValidateCommandTests: XCTestCase {
    /// A source that multiplies one matrix by 100: the damage a bad conversion (wrong scale) could do.
    struct DamagedSource: TensorSource {
        let base: ModelFileTensorSource
        let tensor: String
        var config: ModelConfig { base.config }
        var metadata: [String: String] { base.metadata }
        var tokenizerJSON: [UInt8]? { base.tokenizerJSON }
        var tokenizerConfigJSON: [UInt8]? { base.tokenizerConfigJSON }
        var inputFiles: [URL] { base.inputFiles }
        var sourceBytes: Int { base.sourceBytes }
        func floats(_ spec: ModelTensors.Spec) throws -> [Float] {
            var values = try base.floats(spec)
            if spec.name == tensor { for i in values.indices { values[i] *= 100 } }
            return values
        }
    }

    private func setUpFiles() throws -> (prepared: Prepared, good: URL, damaged: URL, ids: URL) {
        let prepared = try Prepared(Paths.fixtures.appendingPathComponent("mlm-legacy-f32"))
        let (good, _) = try prepared.quantized(.init(target: .int8))
        let source = DamagedSource(base: try ModelFileTensorSource(url: prepared.fp32), tensor: "layers.2.mlp.Wo.weight")
        let damaged = prepared.dir.appendingPathComponent("damaged.mbc")
        _ = try Quantizer(source: source, plan: QuantizationPlan(config: source.config, options: .init(target: .int8))).write(to: damaged)
        let ids = prepared.dir.appendingPathComponent("ids.jsonl")
        try ValidationInput(sequences: randomIds(vocab: 1000, lengths: [60, 31, 45, 17]), source: "").writeIds(to: ids)
        return (prepared, good, damaged, ids)
    }

    func testExitCodesAndThresholds() throws {
        let (prepared, good, damaged, ids) = try setUpFiles()
        let common = ["--reference", prepared.fp32.path, "--input", ids.path]
        // Random-init logits are nearly flat, so top-1 is not a meaningful check on this fixture.
        let lenient = ["--ignore", "logits_top1_agreement", "--ignore", "logits_top5_contains_reference_top1"]

        let json = prepared.dir.appendingPathComponent("report.json")
        let (okCode, okText) = try Paths.run(["validate", good.path] + common + lenient + ["--json", json.path])
        XCTAssertEqual(okCode, 0, okText)
        XCTAssertTrue(okText.contains("PASS"), okText)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        XCTAssertEqual(report["pass"] as? Bool, true)
        let metrics = try XCTUnwrap(report["metrics"] as? [String: Any])
        for key in ["logits_top1_agreement", "logits_top5_contains_reference_top1", "kl_divergence_mean", "max_abs_logit_diff",
                    "hidden_cosine_min", "hidden_cosine_mean"] {
            XCTAssertNotNil(metrics[key], key)
        }
        XCTAssertEqual((report["per_layer"] as? [Any])?.count, 6)

        let (badCode, badText) = try Paths.run(["validate", damaged.path] + common + lenient)
        XCTAssertEqual(badCode, 1, badText)
        XCTAssertTrue(badText.contains("FAIL"), badText)
        XCTAssertTrue(badText.contains("layer 2"), badText)

        // Thresholds are honoured both ways: an impossible limit fails the good file; ignoring every
        // failing metric lets the damaged one pass.
        let (strictCode, _) = try Paths.run(["validate", good.path] + common + lenient + ["--min-cosine-mean", "0.9999999"])
        XCTAssertEqual(strictCode, 1)
        let (looseCode, looseText) = try Paths.run(["validate", damaged.path] + common + lenient + [
            "--min-cosine=-1", "--min-cosine-mean=-1", "--max-kl", "1e9"])
        XCTAssertEqual(looseCode, 0, looseText)

        let (w8a8Code, w8a8Text) = try Paths.run(["validate", good.path, "--mode", "w8a8"] + common + lenient)
        XCTAssertEqual(w8a8Code, 0, w8a8Text)
        XCTAssertTrue(w8a8Text.contains("mode w8a8"))

        let (errorCode, _) = try Paths.run(["validate", "/nonexistent.mbc"] + common)
        XCTAssertEqual(errorCode, 2)
    }

    func testThresholdChecksSkipAbsentMetrics() {
        var m = Metrics()
        m.hiddenCosineMean = 0.9995
        m.hiddenCosineMin = 0.995
        var t = Thresholds()
        XCTAssertEqual(t.checks(m).map(\.metric), ["hidden_cosine_min", "hidden_cosine_mean"])
        XCTAssertTrue(t.checks(m).allSatisfy(\.pass))
        t.minCosineMean = 0.9996
        XCTAssertFalse(t.checks(m).allSatisfy(\.pass))
    }
}
