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
