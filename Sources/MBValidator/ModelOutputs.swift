import MBFormat
import MBRuntime

/// What one model produced for a validation input: every layer's hidden states and the head's
/// logits, per sequence.
///
/// Computed once for the fp32 reference and reused for every candidate (`--auto` compares
/// dozens of candidates with the same reference).
public struct ModelOutputs: Sendable {
    public let hiddenSize: Int
    /// Token rows of each sequence in the packed hidden states.
    public let ranges: [Range<Int>]
    /// Embedding output, each layer's output, final-normed state; each packed [tokens, hidden].
    public let hiddenStates: [[Float]]
    /// Per sequence, logits [rows, logitsWidth] (nil without a head).
    public let logits: [[Float]]?
    public let logitsWidth: Int

    public var lastHiddenState: [Float] { hiddenStates[hiddenStates.count - 1] }

    public init(model: ModernBert, input: ValidationInput) throws {
        let out = try model.forward(input.sequences, outputHiddenStates: true)
        hiddenSize = out.hiddenSize
        ranges = out.ranges
        hiddenStates = out.hiddenStates ?? [out.lastHiddenState]
        if let head = model.head {
            logits = input.sequences.indices.map { head.logits(out, sequence: $0) }
            logitsWidth = head.width
        } else {
            logits = nil
            logitsWidth = 0
        }
    }
}
