import MBFormat

/// The head on top of the encoder: transformers' ModernBertPredictionHead (dense, activation, norm)
/// followed by the task's output layer.
///
/// - Masked LM: decoder over the vocabulary for every token (tied to the embeddings unless stored).
/// - Sequence classification: pooled (CLS or mean) vector -> classifier, one row per sequence.
/// - Token classification and question answering: classifier for every token
///   (question answering's two columns are start and end logits).
public struct TaskHead: @unchecked Sendable {
    public let architecture: ModelConfig.Architecture
    let dense: Linear
    let activation: Activation
    let norm: Norm
    let output: Linear
    let pooling: ModelConfig.Pooling

    init(weights: WeightLoader, embeddings: WeightMatrix) throws {
        let c = weights.file.config
        architecture = c.architecture
        dense = try weights.linear("head.dense", bias: c.classifierBias)
        activation = c.classifierActivation
        norm = try weights.norm("head.norm")
        pooling = c.classifierPooling
        switch c.architecture {
        case .maskedLM:
            // A tied model may store its decoder projection apart from the lookup table (at another
            // precision or smoothing: Formats/model-file.md); the table is the decoder otherwise.
            let separate = !c.tieWordEmbeddings || weights.hasMatrix("decoder.weight")
            let name = separate ? "decoder.weight" : "embeddings.tok_embeddings.weight"
            output = try weights.linear(weight: name, bias: try weights.optionalVector("decoder.bias", if: c.decoderBias),
                                        matrix: separate ? nil : embeddings, reportingAs: "decoder.weight")
        default:
            output = try weights.linear("classifier", bias: true)
        }
    }

    /// Logits per row: vocabulary size for MLM, number of labels otherwise.
    public var width: Int { output.outFeatures }

    /// Whether the head produces one row per sequence (pooled) rather than one per token.
    public var isPooled: Bool { architecture == .sequenceClassification }

    /// The head's logits for one sequence of an encoder output.
    /// - Parameter positions: token positions to score (default all); ignored for pooled heads.
    /// - Returns: [rows, width] row-major, rows = 1 for pooled heads.
    public func logits(_ output: EncoderOutput, sequence: Int, positions: [Int]? = nil) -> [Float] {
        let h = output.hiddenSize
        let tokens = output.rows(of: sequence, in: output.lastHiddenState)
        var input: [Float]
        if isPooled {
            input = pooling == .cls ? Array(tokens.prefix(h)) : Self.meanRows(tokens, width: h)
        } else if let positions {
            let start = tokens.startIndex
            input = positions.flatMap { tokens[(start + $0 * h)..<(start + ($0 + 1) * h)] }
        } else {
            input = Array(tokens)
        }
        return apply(&input, rows: input.count / h)
    }

    private func apply(_ x: inout [Float], rows: Int) -> [Float] {
        let h = dense.outFeatures
        var t = [Float](repeating: 0, count: rows * h)
        var out = [Float](repeating: 0, count: rows * width)
        x.withUnsafeBufferPointer { xin in
            t.withUnsafeMutableBufferPointer { tb in
                dense(xin.baseAddress!, rows: rows, into: tb.baseAddress!)
                Elementwise.activateInPlace(tb.baseAddress!, count: rows * h, activation)
                norm(tb.baseAddress!, rows: rows, into: tb.baseAddress!)
                out.withUnsafeMutableBufferPointer { ob in output(tb.baseAddress!, rows: rows, into: ob.baseAddress!) }
            }
        }
        return out
    }

    private static func meanRows(_ rows: ArraySlice<Float>, width: Int) -> [Float] {
        var sum = [Double](repeating: 0, count: width)
        let count = rows.count / width
        for (i, v) in rows.enumerated() { sum[i % width] += Double(v) }
        return sum.map { Float($0 / Double(count)) }
    }
}
