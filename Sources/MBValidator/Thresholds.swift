/// Pass/fail limits of a validation. A nil limit is not checked.
///
/// Defaults suit int8 (weight-only or W8A8) against fp32; Docs/validation.md gives the measured
/// numbers they were set from. Each metric that is absent for a model (logits for a headless
/// encoder, labels for masked LM) is skipped.
public struct Thresholds: Sendable, Equatable {
    public var minTop1: Double? = 0.99
    public var minTop5: Double? = 0.999
    public var maxKL: Double? = 0.01
    public var maxAbsLogitDiff: Double? = nil
    public var minMaskedTop1: Double? = 0.97
    public var minCosine: Double? = 0.99
    public var minCosineMean: Double? = 0.999
    public var minLabelAgreement: Double? = 0.99

    public init() {}

    /// One limit checked against one metric.
    public struct Check: Sendable {
        public var metric: String
        public var value: Double
        public var limit: Double
        /// ">=" or "<="
        public var op: String
        public var pass: Bool
    }

    public func checks(_ m: Metrics) -> [Check] {
        var out: [Check] = []
        func atLeast(_ name: String, _ value: Double?, _ limit: Double?) {
            guard let value, let limit else { return }
            out.append(Check(metric: name, value: value, limit: limit, op: ">=", pass: value >= limit))
        }
        func atMost(_ name: String, _ value: Double?, _ limit: Double?) {
            guard let value, let limit else { return }
            out.append(Check(metric: name, value: value, limit: limit, op: "<=", pass: value <= limit))
        }
        atLeast("logits_top1_agreement", m.logitsTop1Agreement, minTop1)
        atLeast("logits_top5_contains_reference_top1", m.logitsTop5ContainsReferenceTop1, minTop5)
        atMost("kl_divergence_mean", m.klDivergenceMean, maxKL)
        atMost("max_abs_logit_diff", m.maxAbsLogitDiff, maxAbsLogitDiff)
        atLeast("masked_top1_agreement", m.maskedTop1Agreement, minMaskedTop1)
        atLeast("hidden_cosine_min", m.hiddenCosineMin, minCosine)
        atLeast("hidden_cosine_mean", m.hiddenCosineMean, minCosineMean)
        atLeast("label_agreement", m.labelAgreement, minLabelAgreement)
        return out
    }
}
