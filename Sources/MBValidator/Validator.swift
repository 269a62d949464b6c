import Foundation
import MBFormat
import MBRuntime

/// Compares a candidate model (quantized, fp16, or anything else) with an fp32 reference on the
/// same input.
public struct Validator {
    public let reference: ModelOutputs
    public let input: ValidationInput
    public let config: ModelConfig

    /// Runs the reference once; `compare` can then be called for any number of candidates.
    public init(reference model: ModernBert, input: ValidationInput) throws {
        reference = try ModelOutputs(model: model, input: input)
        self.input = input
        config = model.config
    }

    public func compare(_ candidate: ModernBert) throws -> Metrics {
        let c = candidate.config
        guard c.hiddenSize == config.hiddenSize, c.numLayers == config.numLayers, c.vocabSize == config.vocabSize,
              c.architecture == config.architecture, c.logitsWidth == config.logitsWidth else {
            throw ValidatorError.mismatch("the candidate (\(c.architecture.rawValue), \(c.numLayers) layers, hidden \(c.hiddenSize)) and the reference (\(config.architecture.rawValue), \(config.numLayers) layers, hidden \(config.hiddenSize)) are different models")
        }
        return compare(try ModelOutputs(model: candidate, input: input))
    }

    public func compare(_ candidate: ModelOutputs) -> Metrics {
        var m = Metrics()
        let h = reference.hiddenSize
        for (index, (cand, ref)) in zip(candidate.hiddenStates, reference.hiddenStates).enumerated() {
            let r = VectorMath.compareRows(cand, ref, width: h)
            m.perLayer.append(LayerMetrics(index: index, name: layerName(index), cosineMin: r.min, cosineMean: r.mean, relativeError: r.relative))
        }
        let last = VectorMath.compareRows(candidate.lastHiddenState, reference.lastHiddenState, width: h)
        m.hiddenCosineMin = last.min
        m.hiddenCosineMean = last.mean

        guard let refLogits = reference.logits, let candLogits = candidate.logits else { return m }
        let width = reference.logitsWidth
        var all = LogitStats(), masked = LogitStats()
        for s in refLogits.indices {
            let rows = refLogits[s].count / width
            let maskedRows = Set(rows == input.sequences[s].count ? input.masked[s] : [])
            candLogits[s].withUnsafeBufferPointer { cb in
                refLogits[s].withUnsafeBufferPointer { rb in
                    for row in 0..<rows {
                        let cp = cb.baseAddress! + row * width, rp = rb.baseAddress! + row * width
                        all.add(candidate: cp, reference: rp, width: width)
                        if maskedRows.contains(row) { masked.add(candidate: cp, reference: rp, width: width) }
                    }
                }
            }
        }
        m.rows = all.rows
        m.logitsTop1Agreement = all.top1Rate
        m.logitsTop5ContainsReferenceTop1 = all.top5Rate
        m.klDivergenceMean = all.klMean
        m.maxAbsLogitDiff = all.maxAbs
        m.maskedRows = masked.rows
        m.maskedTop1Agreement = masked.top1Rate
        m.maskedTop5ContainsReferenceTop1 = masked.top5Rate
        m.maskedKLDivergenceMean = masked.klMean
        if config.architecture != .maskedLM && config.architecture != .base && width >= 2 {
            m.labelAgreement = all.top1Rate
        }
        return m
    }

    /// hidden_states[0] is the embedding output, [L] layer L-1's output, the last one after the final norm.
    private func layerName(_ index: Int) -> String {
        if index == 0 { return "embeddings" }
        if index == config.numLayers { return "layer \(index - 1) + final_norm" }
        return "layer \(index - 1)"
    }
}
