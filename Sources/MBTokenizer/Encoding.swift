/// A half-open range of Unicode scalar indices into the text that was encoded.
///
/// These are the numbers Python's `tokenizers` reports as character offsets: Python `str`
/// indices count Unicode scalars, and they refer to the original text, before NFC.
/// Special tokens added by the post-processor get `(0, 0)`.
public struct TokenOffset: Hashable, Sendable, CustomStringConvertible {
    public var start: Int
    public var end: Int

    @inlinable
    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    public var description: String { "(\(start), \(end))" }
}

/// The result of encoding one text or one pair of texts.
///
/// Arrays are parallel: element `i` of each describes token `i`.
public struct Encoding: Hashable, Sendable {
    /// Token ids, including the special tokens of the post-processor template.
    public var ids: [Int32]
    /// Segment ids from the template (`type_id`), 0 for the first sequence.
    public var typeIds: [Int32]
    /// Scalar offsets into the text each token came from (see ``TokenOffset``).
    public var offsets: [TokenOffset]
    /// `true` for tokens inserted by the post-processor template ([CLS], [SEP]).
    /// Added tokens written in the text itself (a literal "[MASK]") are not marked,
    /// matching Hugging Face `tokenizers`.
    public var specialTokensMask: [Bool]
    /// Which input each token came from: 0 (text), 1 (pair), or `nil` for template tokens.
    public var sequenceIds: [Int8?]

    public init(ids: [Int32] = [], typeIds: [Int32] = [], offsets: [TokenOffset] = [],
                specialTokensMask: [Bool] = [], sequenceIds: [Int8?] = []) {
        self.ids = ids
        self.typeIds = typeIds
        self.offsets = offsets
        self.specialTokensMask = specialTokensMask
        self.sequenceIds = sequenceIds
    }

    /// The number of tokens.
    public var count: Int { ids.count }

    /// All ones: the encoder never pads, so every token is attended to.
    public var attentionMask: [Int32] { [Int32](repeating: 1, count: ids.count) }
}
