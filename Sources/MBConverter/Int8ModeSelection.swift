import Foundation
import MBFormat
import MBRuntime

/// What `mbconvert quantize --int8` does by default: calibrate, smooth, measure the candidate ways to
/// run int8 against fp32, and pick the fastest that passes.
///
/// 1. One fp32 forward pass over the calibration sequences records every linear layer's inputs
///    (`CalibrationRecorder`).
/// 2. `SmoothingSearch` chooses each int8 matrix's smoothing (or none) by its measured W8A8 error.
/// 3. Candidate files are written to `workDirectory` (plain int8; smoothed; smoothed with the head's
///    dense layer in fp16) and each candidate (file x execution) is loaded and scored by `evaluate`,
///    which the caller builds from the validator (thresholds and metrics), so the converter does not
///    depend on the validator.
/// 4. The chosen candidate is the passing one of the fastest speed class (all int8 matrices W8A8,
///    then W8A8 with head matrices weight-only, then weight-only), the most accurate within it.
///    When none passes, the most accurate overall is chosen and the reason says so.
public struct Int8ModeSelection {
    /// One candidate's result as the evaluator sees it.
    public struct Evaluation: Sendable {
        public var passes: Bool
        /// Larger is worse (ties within a speed class go to the smaller).
        public var score: Double
        /// The validator's metrics by report key.
        public var metrics: [String: Double]
        /// One line for the terminal.
        public var summary: String

        public init(passes: Bool, score: Double, metrics: [String: Double], summary: String) {
            self.passes = passes; self.score = score; self.metrics = metrics; self.summary = summary
        }
    }

    public struct Outcome {
        /// What to write: the chosen candidate's tensors and plan, and the record for its `QREC` section.
        public var source: TensorSource
        public var plan: QuantizationPlan
        public var record: QuantizationRecord
        /// Candidates with their one-line summaries, in the order measured.
        public var lines: [(name: String, summary: String, passes: Bool, chosen: Bool)]
    }

    public let base: TensorSource
    public let reference: ModelFile
    public let plan: QuantizationPlan
    public let sequences: [[Int32]]
    public let workDirectory: URL

    /// - Parameters:
    ///   - base: the fp32 tensors to quantize.
    ///   - reference: an fp32 model file of the same model (calibration runs it).
    ///   - plan: the int8 plan (precision per tensor) every candidate starts from.
    ///   - sequences: calibration token ids (the validator's input).
    public init(base: TensorSource, reference: ModelFile, plan: QuantizationPlan, sequences: [[Int32]], workDirectory: URL) {
        self.base = base; self.reference = reference; self.plan = plan; self.sequences = sequences; self.workDirectory = workDirectory
    }

    /// The smoothing of every int8 matrix that can be smoothed, measured on calibration activations.
    public func chooseSmoothing() throws -> [String: (choice: SmoothingSearch.Choice, placement: SmoothedTensorSource.Placement)] {
        let recorder = CalibrationRecorder()
        let model = try ModernBert(file: reference, mode: .w8a32, observer: recorder)
        let out = try model.forward(sequences)
        if let head = model.head { for s in sequences.indices { _ = head.logits(out, sequence: s) } }
        let c = base.config
        var chosen: [String: (choice: SmoothingSearch.Choice, placement: SmoothedTensorSource.Placement)] = [:]
        for spec in QuantizationPlan.specs(for: c, options: plan.options) where plan.precision[spec.name] == .int8 {
            guard let placement = SmoothedTensorSource.placement(of: spec.name, config: c),
                  let layer = recorder.layers[spec.name], layer.cols == spec.shape[1] else { continue }
            let choice = SmoothingSearch.choose(weight: try base.values(spec), rows: spec.shape[0], cols: spec.shape[1],
                                                activations: layer.rows, channelMax: layer.channelMax)
            chosen[spec.name] = (choice, placement)
        }
        return chosen
    }

    public func run(calibration: QuantizationRecord.Calibration, thresholds: [QuantizationRecord.Threshold],
                    evaluate: (ModernBert) throws -> Evaluation, progress: ((String) -> Void)? = nil) throws -> Outcome {
        progress?("calibrating")
        let smoothing = try chooseSmoothing()
        let scales = smoothing.compactMapValues { $0.choice.scales }
        let smoothed = SmoothedTensorSource(base: base, scales: scales)

        // The head's dense layer feeds the logits with nothing after it to average its error out; its
        // fp16 copy is 2 x hidden^2 bytes. Measured as a candidate, not assumed.
        var headPlan = plan
        let headDense = "head.dense.weight"
        let hasHeadDense = plan.precision[headDense] == .int8
        if hasHeadDense { headPlan.set(headDense, .f16) }
        let headSmoothed = SmoothedTensorSource(base: base, scales: scales.filter { $0.key != headDense })

        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        func write(_ name: String, _ source: TensorSource, _ plan: QuantizationPlan) throws -> ModelFile {
            let url = workDirectory.appendingPathComponent(name)
            _ = try Quantizer(source: source, plan: plan).write(to: url)
            return try ModelFile(url: url)
        }
        progress?("writing candidates")
        let plainFile = try write("plain.mbc", base, plan)
        let smoothedFile = try write("smoothed.mbc", smoothed, plan)
        let headFile = hasHeadDense ? try write("smoothed-head-f16.mbc", headSmoothed, headPlan) : smoothedFile

        // The decoder (or classifier) as the head's last product: weight-only in the class-1 candidate.
        let c = base.config
        let output = c.architecture == .maskedLM
            ? (plan.precision["decoder.weight"] != nil ? "decoder.weight" : "embeddings.tok_embeddings.weight")
            : "classifier.weight"
        let headWeightOnly = [headDense, output].filter { headPlan.precision[$0] == .int8 }

        struct Trial {
            var name: String, file: ModelFile, source: TensorSource, plan: QuantizationPlan
            var mode: ExecutionMode, weightOnly: [String], smoothed: Bool, speedClass: Int
        }
        var trials = [
            Trial(name: "w8a8 smoothed", file: smoothedFile, source: smoothed, plan: plan, mode: .w8a8, weightOnly: [],
                  smoothed: true, speedClass: 0),
        ]
        if hasHeadDense {
            trials.append(Trial(name: "w8a8 smoothed, head.dense fp16", file: headFile, source: headSmoothed, plan: headPlan,
                                mode: .w8a8, weightOnly: [], smoothed: true, speedClass: 0))
        }
        trials.append(Trial(name: "w8a8 plain", file: plainFile, source: base, plan: plan, mode: .w8a8, weightOnly: [],
                            smoothed: false, speedClass: 0))
        if c.hasHead && !headWeightOnly.isEmpty {
            trials.append(Trial(name: "w8a8 smoothed, head weight-only", file: headFile, source: headSmoothed, plan: headPlan,
                                mode: .w8a8, weightOnly: headWeightOnly, smoothed: true, speedClass: 1))
        }
        trials.append(Trial(name: "w8a32 plain", file: plainFile, source: base, plan: plan, mode: .w8a32, weightOnly: [],
                            smoothed: false, speedClass: 2))
        trials.append(Trial(name: "w8a32 smoothed", file: smoothedFile, source: smoothed, plan: plan, mode: .w8a32, weightOnly: [],
                            smoothed: true, speedClass: 2))

        var results: [Evaluation] = []
        for (i, t) in trials.enumerated() {
            progress?("measuring \(t.name) (\(i + 1)/\(trials.count))")
            let model = try ModernBert(file: t.file, mode: t.mode, weightOnly: Set(t.weightOnly))
            results.append(try evaluate(model))
        }
        let passing = trials.indices.filter { results[$0].passes }
        let best: Int
        let reason: String
        if let fastest = passing.map({ trials[$0].speedClass }).min() {
            best = passing.filter { trials[$0].speedClass == fastest }.min { results[$0].score < results[$1].score }!
            reason = "the fastest candidate that passes the validator's thresholds on the calibration texts"
                + (passing.filter { trials[$0].speedClass == fastest }.count > 1 ? " (the most accurate of its speed class)" : "")
        } else {
            best = trials.indices.min { results[$0].score < results[$1].score }!
            reason = "no candidate passes the thresholds on the calibration texts: the most accurate one"
        }

        let record = QuantizationRecord(
            defaultMode: trials[best].mode.rawValue, weightOnly: trials[best].weightOnly.sorted(), reason: reason,
            calibration: calibration, thresholds: thresholds,
            candidates: trials.indices.map { i in
                let t = trials[i]
                return QuantizationRecord.Candidate(
                    name: t.name, mode: t.mode.rawValue, smoothed: t.smoothed, weightOnly: t.weightOnly,
                    keptF16: t.plan.order.filter { t.plan.precision[$0] == .f16 && plan.precision[$0] == .int8 },
                    speedClass: t.speedClass, metrics: results[i].metrics, passes: results[i].passes, chosen: i == best)
            },
            smoothing: smoothing.keys.sorted().map { name in
                let (choice, placement) = smoothing[name]!
                let applied = trials[best].smoothed && choice.alpha != nil && trials[best].plan.precision[name] == .int8
                return QuantizationRecord.Smoothing(
                    tensor: name, alpha: applied ? choice.alpha : nil, appliedIn: applied ? placement.description : "none",
                    errorPlain: choice.errorPlain, errorSmoothed: choice.errorChosen)
            })
        return Outcome(source: trials[best].source, plan: trials[best].plan, record: record,
                       lines: trials.indices.map { (trials[$0].name, results[$0].summary, results[$0].passes, $0 == best) })
    }
}
