import Foundation
import MBFormat
import MBRuntime

/// `mbconvert quantize --auto`: rank each int8 layer by how much quantizing it alone hurts, then
/// keep the most sensitive layers in higher precision, one at a time, until the quality
/// thresholds hold.
///
/// All trials run on the fp32 reference file with in-memory `WeightOverrides`, so no file is
/// written per trial; the caller's `evaluate` compares a model against fp32 outputs it computed
/// once (the validator's metrics). The converter does not depend on the validator: the command
/// line wires the two together.
public struct SensitivityAnalysis {
    /// One trial's result as the evaluator sees it.
    public struct Evaluation: Sendable {
        /// Larger is worse; used to rank layers.
        public var score: Double
        public var passes: Bool
        /// One line for the decision table.
        public var summary: String

        public init(score: Double, passes: Bool, summary: String) {
            self.score = score; self.passes = passes; self.summary = summary
        }
    }

    public struct Outcome {
        /// Candidates, most sensitive first, with the result of quantizing each one alone.
        public var ranking: [(name: String, evaluation: Evaluation)]
        /// Layers kept in `plan.options.keepPrecision`, in the order they were added.
        public var kept: [String]
        /// The evaluation of the final mixed-precision model.
        public var final: Evaluation
        /// Evaluation of the all-int8 model, before any layer was kept.
        public var initial: Evaluation
        public var plan: QuantizationPlan
    }

    public let reference: ModelFile
    public let plan: QuantizationPlan
    public let mode: ExecutionMode

    public init(reference: ModelFile, plan: QuantizationPlan, mode: ExecutionMode) {
        self.reference = reference; self.plan = plan; self.mode = mode
    }

    public func run(evaluate: (ModernBert) throws -> Evaluation,
                    progress: ((String, Int, Int) -> Void)? = nil) throws -> Outcome {
        let source = ModelFileTensorSource(file: reference)
        let specs = Dictionary(QuantizationPlan.specs(for: reference.config, options: plan.options).map { ($0.name, $0) },
                               uniquingKeysWith: { a, _ in a })
        let candidates = plan.int8Tensors
        var quantized: [String: (values: [Int8], scales: [Float])] = [:]
        for (i, name) in candidates.enumerated() {
            let spec = specs[name]!
            quantized[name] = RowQuantization.quantize(try source.values(spec), rows: spec.shape[0], cols: spec.shape[1])
            progress?("quantizing", i + 1, candidates.count)
        }

        /// A model with `int8` layers quantized and every other matrix at its planned float precision.
        func model(int8 names: Set<String>, plan: QuantizationPlan) throws -> ModernBert {
            let overrides = WeightOverrides()
            for (name, spec) in specs where spec.isMatrix {
                if names.contains(name), let q = quantized[name] {
                    overrides.setInt8(name, rows: spec.shape[0], cols: spec.shape[1], values: q.values, scales: q.scales)
                } else if plan.precision[name] == .f16 || (plan.precision[name] == .int8 && plan.options.keepPrecision == .f16) {
                    overrides.setF32(name, rows: spec.shape[0], cols: spec.shape[1],
                                     values: RowQuantization.roundedToF16(try source.values(spec)))
                }
            }
            return try ModernBert(file: reference, mode: mode, overrides: overrides)
        }

        var ranking: [(name: String, evaluation: Evaluation)] = []
        for (i, name) in candidates.enumerated() {
            ranking.append((name, try evaluate(model(int8: [name], plan: plan))))
            progress?("ranking layers", i + 1, candidates.count)
        }
        ranking.sort { $0.evaluation.score > $1.evaluation.score }

        var plan = self.plan
        var int8 = Set(candidates)
        let initial = try evaluate(model(int8: int8, plan: plan))
        var current = initial
        var kept: [String] = []
        for (name, _) in ranking where !current.passes {
            int8.remove(name)
            plan.set(name, plan.options.keepPrecision)
            kept.append(name)
            current = try evaluate(model(int8: int8, plan: plan))
            progress?("keeping layers", kept.count, candidates.count)
        }
        return Outcome(ranking: ranking, kept: kept, final: current, initial: initial, plan: plan)
    }
}
