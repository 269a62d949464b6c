import MBFormat

extension EncoderOutput {
    /// One sequence's final hidden states, [tokens, hiddenSize] row-major (transformers' `last_hidden_state[i]`).
    public func lastHiddenState(of sequence: Int) -> [Float] {
        Array(rows(of: sequence, in: lastHiddenState))
    }

    /// One sequence's hidden states after every stage, as `output_hidden_states=True` returns them:
    /// `numLayers + 1` matrices of [tokens, hiddenSize] (embeddings, each layer; the last is final-normed).
    /// Nil unless the forward pass was run with `outputHiddenStates: true`.
    public func hiddenStates(of sequence: Int) -> [[Float]]? {
        hiddenStates?.map { Array(rows(of: sequence, in: $0)) }
    }

    /// A sentence vector for one sequence: the first token's state (`cls`) or the mean over its tokens
    /// (`mean`; every packed token is a real token, so this is the attention-masked mean of
    /// sentence-transformers). `layer` picks an entry of `hiddenStates` (default: the final state).
    public func pooled(_ sequence: Int, _ pooling: ModelConfig.Pooling, layer: Int? = nil) -> [Float] {
        let packed = layer.flatMap { hiddenStates?[$0] } ?? lastHiddenState
        let tokens = rows(of: sequence, in: packed)
        switch pooling {
        case .cls:
            return Array(tokens.prefix(hiddenSize))
        case .mean:
            var sum = [Double](repeating: 0, count: hiddenSize)
            var k = 0
            for v in tokens {
                sum[k] += Double(v)
                k += 1
                if k == hiddenSize { k = 0 }
            }
            let count = Double(tokens.count / hiddenSize)
            return sum.map { Float($0 / count) }
        }
    }
}

/// L2 normalisation as `torch.nn.functional.normalize` (norm clamped at 1e-12).
public func l2Normalized(_ v: [Float]) -> [Float] {
    let norm = max(v.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot(), 1e-12)
    return v.map { Float(Double($0) / norm) }
}

extension EncoderOutput {
    /// sentence-transformers' `Pooling` for one sequence: each mode's vector, concatenated in order.
    ///
    /// - Parameters:
    ///   - modes: pooling modes (one gives hiddenSize values, n give n × hiddenSize).
    ///   - excludingFirst: tokens left out of pooling at the start of the sequence ([CLS] and a prompt,
    ///     for `include_prompt: false`); their positions still count for `weightedMean`, as in
    ///     sentence-transformers, whose attention mask zeroes them.
    public func pooled(_ sequence: Int, modes: [SentencePooling], excludingFirst skip: Int = 0) -> [Float] {
        let h = hiddenSize
        let tokens = rows(of: sequence, in: lastHiddenState)
        let base = tokens.startIndex, n = tokens.count / h
        let first = min(max(skip, 0), n), kept = n - first
        func row(_ t: Int) -> ArraySlice<Float> { tokens[(base + t * h)..<(base + (t + 1) * h)] }
        var out: [Float] = []
        out.reserveCapacity(modes.count * h)
        for mode in modes {
            switch mode {
            case .cls:
                // The first pooled token; when nothing is pooled, the mask's argmax is position 0.
                out += row(kept > 0 ? first : 0)
            case .lastToken:
                // The gather reads the masked states: zeros when nothing is pooled.
                out += kept > 0 ? Array(row(n - 1)) : [Float](repeating: 0, count: h)
            case .max:
                var m = [Float](repeating: -.infinity, count: h)
                for t in first..<n { for (k, v) in row(t).enumerated() where v > m[k] { m[k] = v } }
                out += m
            case .mean, .meanSqrtLen, .weightedMean:
                var sum = [Double](repeating: 0, count: h)
                var weight = 0.0
                for t in first..<n {
                    let w = mode == .weightedMean ? Double(t + 1) : 1
                    for (k, v) in row(t).enumerated() { sum[k] += w * Double(v) }
                    weight += w
                }
                let denominator = mode == .meanSqrtLen ? max(weight, 1e-9).squareRoot() : max(weight, 1e-9)
                out += sum.map { Float($0 / denominator) }
            }
        }
        return out
    }
}
