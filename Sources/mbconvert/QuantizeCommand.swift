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

    @Option(help: "Record this execution mode as the file's default instead of the fastest that passes (w8a32 or w8a8); with --auto, the mode it measures in.")
    var mode: ExecutionMode?

    @Option(help: "JSONL calibration texts (a JSON string or {\"text\": ...} per line); default: the built-in text set. Same as --texts.")
    var calibration: String?

    @Option(help: "Store a tied MLM decoder as its own tensor at this precision (int8, f16 or f32) instead of sharing the lookup table.")
    var decoder: Precision?

    @Flag(help: "Skip calibration: plain int8, no smoothing, no recorded mode (the file runs w8a32 unless --mode says otherwise).")
    var noCalibration = false

    @OptionGroup var inputs: InputOptions
    @OptionGroup var limits: ThresholdOptions

    func validate() throws {
        guard int8 != fp16 else { throw ValidationError("choose exactly one of --int8 and --fp16") }
        guard keepPrecision != .int8 else { throw ValidationError("--keep-precision must be f16 or f32") }
        if auto && fp16 { throw ValidationError("--auto applies to --int8") }
        if calibration != nil && inputs.texts != nil { throw ValidationError("give --calibration or --texts, not both") }
        if auto && noCalibration { throw ValidationError("--auto needs calibration") }
    }

    func run() throws {
        let start = Date()
        let options = QuantizationPlan.Options(target: int8 ? .int8 : .fp16, embeddings: embeddings, keep: keep, keepPrecision: keepPrecision,
                                               decoder: decoder)
        var source: TensorSource = try TensorSources.open(URL(fileURLWithPath: source))
        var plan = QuantizationPlan(config: source.config, options: options)
        var record: QuantizationRecord?
        var reference: ReferenceModel?
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("mbconvert-quantize-\(UUID().uuidString)")
        defer { reference?.cleanUp(); try? FileManager.default.removeItem(at: work) }
        if int8 && !noCalibration {
            let ref = try ReferenceModel(self.source, progressLabel: "converting to fp32 for calibration")
            reference = ref
            if source is HFTensorSource { source = ModelFileTensorSource(file: ref.file) }
            (source, plan, record) = try calibrate(source, plan, reference: ref, work: work)
            if auto {
                let before = plan
                plan = try autoPlan(plan, smoothed: source, reference: ref, work: work)
                let kept = plan.order.filter { before.precision[$0] == .int8 && plan.precision[$0] != .int8 }
                record?.reason += "; --auto kept \(kept.count) matrices in \(keepPrecision.rawValue) (\(kept.joined(separator: ", ")))"
                if record?.defaultMode == ExecutionMode.w8a32.rawValue { record?.defaultMode = (mode ?? .w8a8).rawValue; record?.weightOnly = [] }
            }
        }
        let bar = ProgressBar(label: "writing")
        let report = try Quantizer(source: source, plan: plan, record: record).write(to: URL(fileURLWithPath: output)) { bar.update($0, of: $1) }
        bar.finish()
        printSummary(report, plan: plan, seconds: Date().timeIntervalSince(start))
    }

    /// The calibration input: --calibration (or --texts / --input), else the built-in text set.
    private func calibrationInput(_ reference: ReferenceModel) throws -> ValidationInput {
        var options = inputs
        if let calibration { options.texts = calibration }
        return try options.load(config: reference.file.config, tokenizerFrom: [reference.file], fallbackTokenizer: reference.tokenizerJSON)
    }

    /// Smoothing and the default mode, measured (`Int8ModeSelection`); prints the candidates.
    private func calibrate(_ source: TensorSource, _ plan: QuantizationPlan, reference: ReferenceModel,
                           work: URL) throws -> (TensorSource, QuantizationPlan, QuantizationRecord) {
        let thresholds = limits.thresholds
        let input = try calibrationInput(reference)
        print("calibrating on \(input.sequences.count) sequences (\(input.tokenCount) tokens, \(input.maskedCount) masked; \(input.source))")
        let validator = try Validator(reference: try ModernBert(file: reference.file, mode: .w8a32), input: input)
        let selection = Int8ModeSelection(base: source, reference: reference.file, plan: plan, sequences: input.sequences,
                                          workDirectory: work)
        let limits = Self.recordedThresholds(thresholds)
        let outcome = try selection.run(
            calibration: .init(source: input.source, sequences: input.sequences.count, tokens: input.tokenCount, maskedPositions: input.maskedCount),
            thresholds: limits,
            evaluate: { model in
                if let mode, model.mode != mode {
                    return Int8ModeSelection.Evaluation(passes: false, score: .infinity, metrics: [:], summary: "not measured (--mode \(mode.rawValue))")
                }
                let metrics = try validator.compare(model)
                return Int8ModeSelection.Evaluation(passes: thresholds.checks(metrics).allSatisfy(\.pass), score: AutoScore.score(metrics),
                                                    metrics: AutoScore.values(metrics), summary: AutoScore.summary(metrics))
            },
            progress: { FileHandle.standardError.write(Data("  \($0)\n".utf8)) })
        print("candidates (fastest first; the file records the chosen one as its default mode):")
        for line in outcome.lines {
            print("  \(line.chosen ? "->" : "  ") \(line.name.padding(toLength: 48, withPad: " ", startingAt: 0)) \(line.passes ? "pass" : "FAIL")  \(line.summary)")
        }
        print("default mode: \(outcome.record.defaultMode)\(outcome.record.weightOnly.isEmpty ? "" : " (weight-only: \(outcome.record.weightOnly.joined(separator: ", ")))"): \(outcome.record.reason)")
        return (outcome.source, outcome.plan, outcome.record)
    }

    /// The limits a candidate had to meet, as recorded in the file.
    static func recordedThresholds(_ t: Thresholds) -> [QuantizationRecord.Threshold] {
        var m = Metrics()
        m.logitsTop1Agreement = 0; m.logitsTop5ContainsReferenceTop1 = 0; m.klDivergenceMean = 0; m.maskedTop1Agreement = 0
        m.maxAbsLogitDiff = 0; m.labelAgreement = 0
        return t.checks(m).map { QuantizationRecord.Threshold(metric: $0.metric, op: $0.op, limit: $0.limit) }
    }

    /// --auto on top of the chosen smoothing: ranks the int8 matrices of a smoothed fp32 copy of the model
    /// and keeps the most sensitive in --keep-precision until the thresholds hold in `mode` (w8a8 by default).
    private func autoPlan(_ plan: QuantizationPlan, smoothed: TensorSource, reference: ReferenceModel, work: URL) throws -> QuantizationPlan {
        let mode = self.mode ?? .w8a8
        let thresholds = limits.thresholds
        var floatPlan = plan
        for name in plan.order where plan.precision[name] != .f32 { floatPlan.set(name, .f32) }
        let smoothedURL = work.appendingPathComponent("smoothed-f32.mbc")
        _ = try Quantizer(source: smoothed, plan: floatPlan).write(to: smoothedURL)
        let smoothedFile = try ModelFile(url: smoothedURL)
        let referenceModel = try ModernBert(file: reference.file, mode: .w8a32)
        let input = try calibrationInput(reference)
        print("--auto: ranking layers on \(input.sequences.count) sequences (\(input.tokenCount) tokens, \(input.maskedCount) masked), mode \(mode.rawValue)")
        let validator = try Validator(reference: referenceModel, input: input)
        let bar = ProgressBar(label: "sensitivity")
        let outcome = try SensitivityAnalysis(reference: smoothedFile, plan: plan, mode: mode).run(evaluate: { model in
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

    /// The metrics a quantization record keeps, by the validator's report keys.
    static func values(_ m: Metrics) -> [String: Double] {
        var out = ["hidden_cosine_mean": m.hiddenCosineMean, "hidden_cosine_min": m.hiddenCosineMin]
        out["logits_top1_agreement"] = m.logitsTop1Agreement
        out["masked_top1_agreement"] = m.maskedTop1Agreement
        out["kl_divergence_mean"] = m.klDivergenceMean
        out["label_agreement"] = m.labelAgreement
        return out
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
