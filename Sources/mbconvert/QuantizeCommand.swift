import ArgumentParser
import Foundation
import MBConverter
import MBFormat
import MBRuntime
import MBValidator

struct QuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Write an int8 or fp16 model file from a Hugging Face directory or an fp32 model file.",
        discussion: """
        --int8: symmetric per-output-channel int8 for every linear layer, token embeddings int8 per row \
        (see Docs/quantization.md), norms and biases fp32. The same file runs weight-only (w8a32) or \
        W8A8, chosen at load time. --fp16: fp16 matrices, fp32 accumulation. --keep keeps matching \
        tensors in --keep-precision; --auto ranks layers by measured sensitivity on calibration text and \
        keeps the worst in --keep-precision until the validation thresholds hold.
        """)

    @Argument(help: "Hugging Face model directory or fp32/fp16 model file.")
    var source: String

    @Option(name: .shortAndLong, help: "Output model file (must not be an input).")
    var output: String

    @Flag(name: .customLong("int8"), help: "int8 weights.") var int8 = false
    @Flag(name: .customLong("fp16"), help: "fp16 weights.") var fp16 = false

    @Option(help: "Token embedding storage: int8, f16 or f32 (default: int8 with --int8, f16 with --fp16).")
    var embeddings: Precision?

    @Option(help: "Keep tensors matching this glob in --keep-precision (repeatable), e.g. 'layers.0.*' or 'head.dense'.")
    var keep: [String] = []

    @Option(help: "Precision of kept tensors: f16 or f32.")
    var keepPrecision: Precision = .f16

    @Flag(help: "Measure each layer's sensitivity on calibration text; keep the worst until the thresholds hold.")
    var auto = false

    @Option(help: "Execution mode --auto measures in (w8a32 or w8a8).")
    var mode: ExecutionMode = .w8a32

    @OptionGroup var inputs: InputOptions
    @OptionGroup var limits: ThresholdOptions

    func validate() throws {
        guard int8 != fp16 else { throw ValidationError("choose exactly one of --int8 and --fp16") }
        guard keepPrecision != .int8 else { throw ValidationError("--keep-precision must be f16 or f32") }
        if auto && fp16 { throw ValidationError("--auto applies to --int8") }
    }

    func run() throws {
        let start = Date()
        let options = QuantizationPlan.Options(target: int8 ? .int8 : .fp16, embeddings: embeddings, keep: keep, keepPrecision: keepPrecision)
        var source: TensorSource = try TensorSources.open(URL(fileURLWithPath: source))
        var plan = QuantizationPlan(config: source.config, options: options)
        var reference: ReferenceModel?
        defer { reference?.cleanUp() }
        if auto {
            let ref = try ReferenceModel(self.source, progressLabel: "converting to fp32 for --auto")
            reference = ref
            plan = try autoPlan(plan, reference: ref)
            if source is HFTensorSource { source = ModelFileTensorSource(file: ref.file) }
        }
        let bar = ProgressBar(label: "writing")
        let report = try Quantizer(source: source, plan: plan).write(to: URL(fileURLWithPath: output)) { bar.update($0, of: $1) }
        bar.finish()
        printSummary(report, plan: plan, seconds: Date().timeIntervalSince(start))
    }

    private func autoPlan(_ plan: QuantizationPlan, reference: ReferenceModel) throws -> QuantizationPlan {
        let thresholds = limits.thresholds
        let referenceModel = try ModernBert(file: reference.file)
        let input = try inputs.load(config: reference.file.config, tokenizerFrom: [reference.file], fallbackTokenizer: reference.tokenizerJSON)
        print("--auto: calibrating on \(input.sequences.count) sequences (\(input.tokenCount) tokens, \(input.maskedCount) masked), mode \(mode.rawValue)")
        let validator = try Validator(reference: referenceModel, input: input)
        let bar = ProgressBar(label: "sensitivity")
        let outcome = try SensitivityAnalysis(reference: reference.file, plan: plan, mode: mode).run(evaluate: { model in
            let metrics = try validator.compare(model)
            let checks = thresholds.checks(metrics)
            return SensitivityAnalysis.Evaluation(score: AutoScore.score(metrics), passes: checks.allSatisfy(\.pass),
                                                  summary: AutoScore.summary(metrics))
        }, progress: { stage, done, total in bar.update(done, of: total); _ = stage })
        bar.finish()
        print("sensitivity (each layer quantized alone; higher score = more sensitive):")
        for (rank, entry) in outcome.ranking.enumerated() {
            let kept = outcome.kept.contains(entry.name)
            print("  \(String(format: "%3d", rank + 1)). \(entry.name.padding(toLength: 36, withPad: " ", startingAt: 0)) score \(String(format: "%.3e", entry.evaluation.score))  \(entry.evaluation.summary)  -> \(kept ? plan.options.keepPrecision.rawValue.uppercased() : "int8")")
        }
        print("all int8:   \(outcome.initial.passes ? "pass" : "FAIL")  \(outcome.initial.summary)")
        print("with \(outcome.kept.count) kept: \(outcome.final.passes ? "pass" : "FAIL")  \(outcome.final.summary)")
        if !outcome.final.passes {
            print("warning: thresholds do not hold even with every layer kept; writing the most precise plan")
        }
        return outcome.plan
    }

    private func printSummary(_ r: Quantizer.Report, plan: QuantizationPlan, seconds: Double) {
        let c = r.config
        print("quantized \(c.architecture.rawValue) (\(c.numLayers) layers, hidden \(c.hiddenSize)) to \(plan.options.target.rawValue) in \(String(format: "%.1f", seconds)) s: \(output)")
        for p in Precision.allCases {
            guard let entry = r.byPrecision[p] else { continue }
            print("  \(p.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)) \(String(format: "%4d", entry.count)) tensors  \(ByteCount.format(entry.bytes))")
        }
        let ratio = Double(r.bytesWritten) / Double(r.fp32Bytes) * 100
        print("  size: source \(ByteCount.format(r.sourceBytes)), fp32 \(ByteCount.format(r.fp32Bytes)) -> \(ByteCount.format(r.bytesWritten)) (\(String(format: "%.1f", ratio))% of fp32)")
    }
}

/// How `--auto` ranks a trial: a sum of the validator's damage measures, so that one ranking works
/// for masked LM (logit metrics dominate), classifiers and headless encoders (hidden cosine only).
enum AutoScore {
    static func score(_ m: Metrics) -> Double {
        (1 - m.hiddenCosineMean) + (m.klDivergenceMean ?? 0) + (1 - (m.logitsTop1Agreement ?? 1)) + (1 - (m.maskedTop1Agreement ?? 1))
    }

    static func summary(_ m: Metrics) -> String {
        var parts = [String(format: "cos %.6f", m.hiddenCosineMean)]
        if let t = m.logitsTop1Agreement { parts.append(String(format: "top1 %.4f", t)) }
        if let t = m.maskedTop1Agreement { parts.append(String(format: "masked %.4f", t)) }
        if let k = m.klDivergenceMean { parts.append(String(format: "KL %.2e", k)) }
        return parts.joined(separator: "  ")
    }
}

extension Precision: ExpressibleByArgument {}
