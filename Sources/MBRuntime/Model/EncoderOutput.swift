/// What the encoder returns for a packed batch.
public struct EncoderOutput: Sendable {
    public let hiddenSize: Int
    /// Token rows of each input sequence.
    public let ranges: [Range<Int>]
    /// Final-normed hidden states, packed [tokens, hiddenSize].
    public let lastHiddenState: [Float]
    /// When requested: the embedding output, then each layer's output, packed like `lastHiddenState`.
    /// As in transformers 5.x, the last entry is the final-normed state (equal to `lastHiddenState`).
    public let hiddenStates: [[Float]]?

    /// The rows of one sequence in a packed [tokens, hiddenSize] buffer.
    public func rows(of sequence: Int, in packed: [Float]) -> ArraySlice<Float> {
        let r = ranges[sequence]
        return packed[(r.lowerBound * hiddenSize)..<(r.upperBound * hiddenSize)]
    }
}
