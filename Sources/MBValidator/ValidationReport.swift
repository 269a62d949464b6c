import Foundation

/// The result of one validation: metrics, the checks against thresholds, and the verdict; as
/// JSON (`--json`) and as a table for the terminal.
public struct ValidationReport {
    public var candidate: String
    public var reference: String
    public var mode: String
    public var input: ValidationInput
    public var metrics: Metrics
    public var thresholds: Thresholds
    public var checks: [Thresholds.Check]
    public var pass: Bool { checks.allSatisfy(\.pass) }

    public init(candidate: String, reference: String, mode: String, input: ValidationInput, metrics: Metrics, thresholds: Thresholds) {
        self.candidate = candidate; self.reference = reference; self.mode = mode
        self.input = input; self.metrics = metrics; self.thresholds = thresholds
        checks = thresholds.checks(metrics)
    }

    public var jsonObject: [String: Any] {
        let m = metrics
        var metricsObject: [String: Any] = [
            "hidden_cosine_min": m.hiddenCosineMin, "hidden_cosine_mean": m.hiddenCosineMean, "logits_rows": m.rows,
        ]
        func put(_ key: String, _ value: Double?) { if let value { metricsObject[key] = value } }
        put("logits_top1_agreement", m.logitsTop1Agreement)
        put("logits_top5_contains_reference_top1", m.logitsTop5ContainsReferenceTop1)
        put("kl_divergence_mean", m.klDivergenceMean)
        put("max_abs_logit_diff", m.maxAbsLogitDiff)
        put("label_agreement", m.labelAgreement)
        if m.maskedRows > 0 {
            metricsObject["masked_rows"] = m.maskedRows
            put("masked_top1_agreement", m.maskedTop1Agreement)
            put("masked_top5_contains_reference_top1", m.maskedTop5ContainsReferenceTop1)
            put("masked_kl_divergence_mean", m.maskedKLDivergenceMean)
        }
        return [
            "candidate": candidate, "reference": reference, "mode": mode,
            "inputs": ["source": input.source, "sequences": input.sequences.count, "tokens": input.tokenCount,
                       "masked_positions": input.maskedCount] as [String: Any],
            "metrics": metricsObject,
            "per_layer": m.perLayer.map {
                ["index": $0.index, "name": $0.name, "cosine_min": $0.cosineMin, "cosine_mean": $0.cosineMean,
                 "relative_error": $0.relativeError] as [String: Any]
            },
            "worst_layer": m.worstLayer?.name ?? "",
            "checks": checks.map { ["metric": $0.metric, "value": $0.value, "limit": $0.limit, "op": $0.op, "pass": $0.pass] as [String: Any] },
            "pass": pass,
        ]
    }

    public func jsonData() throws -> Data {
        try JSONSerialization.data(withJSONObject: jsonObject, options: [.prettyPrinted, .sortedKeys])
    }

    /// The readable table: checks first (what decides the exit code), then the per-layer profile.
    public var table: String {
        var lines: [String] = []
        lines.append("candidate  \(candidate) (mode \(mode))")
        lines.append("reference  \(reference) (fp32)")
        lines.append("inputs     \(input.sequences.count) sequences, \(input.tokenCount) tokens, \(input.maskedCount) masked (\(input.source))")
        lines.append("")
        lines.append(pad("metric", 38) + pad("value", 12) + pad("limit", 14) + "result")
        let checked = Dictionary(checks.map { ($0.metric, $0) }, uniquingKeysWith: { a, _ in a })
        for (key, value) in metricRows() {
            let check = checked[key]
            let limit = check.map { "\($0.op) \(format($0.limit))" } ?? "-"
            let result = check.map { $0.pass ? "ok" : "FAIL" } ?? ""
            lines.append(pad(key, 38) + pad(format(value), 12) + pad(limit, 14) + result)
        }
        lines.append("")
        lines.append(pad("hidden state", 26) + pad("cosine min", 13) + pad("cosine mean", 13) + "rel. error")
        let worst = metrics.worstLayer?.index
        for l in metrics.perLayer {
            lines.append(pad(l.name, 26) + pad(format(l.cosineMin), 13) + pad(format(l.cosineMean), 13) + format(l.relativeError)
                         + (l.index == worst ? "  <- worst" : ""))
        }
        lines.append("")
        lines.append(pass ? "PASS: all \(checks.count) thresholds hold" : "FAIL: \(checks.filter { !$0.pass }.map(\.metric).joined(separator: ", "))")
        return lines.joined(separator: "\n")
    }

    private func metricRows() -> [(String, Double)] {
        let m = metrics
        var rows: [(String, Double?)] = [
            ("logits_top1_agreement", m.logitsTop1Agreement),
            ("logits_top5_contains_reference_top1", m.logitsTop5ContainsReferenceTop1),
            ("kl_divergence_mean", m.klDivergenceMean),
            ("max_abs_logit_diff", m.maxAbsLogitDiff),
        ]
        if m.maskedRows > 0 {
            rows += [("masked_top1_agreement", m.maskedTop1Agreement),
                     ("masked_top5_contains_reference_top1", m.maskedTop5ContainsReferenceTop1),
                     ("masked_kl_divergence_mean", m.maskedKLDivergenceMean)]
        }
        rows += [("label_agreement", m.labelAgreement), ("hidden_cosine_min", m.hiddenCosineMin), ("hidden_cosine_mean", m.hiddenCosineMean)]
        return rows.compactMap { key, value in value.map { (key, $0) } }
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s.padding(toLength: width, withPad: " ", startingAt: 0)
    }

    private func format(_ v: Double) -> String {
        if v == 0 { return "0" }
        if abs(v) >= 0.001 && abs(v) < 1000 { return String(format: "%.6f", v) }
        return String(format: "%.3e", v)
    }
}
