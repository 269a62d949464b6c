/// The words of one normalized piece, with every scalar's alignment to the original text: Hugging
/// Face's `PreTokenizedString` for the stretch between two added tokens.
///
/// Pre-tokenizers cut words into smaller words (``splitWords(_:)``) or rewrite them
/// (``rewriteWords(_:)``, for Metaspace's "▁" and ByteLevel's prefix space). A word's original start
/// (the reference's `original_shift`, which Metaspace's `prepend_scheme: first` tests) is always
/// `starts[word.lowerBound]`: every split re-slices, and no rewrite moves a word's first alignment.
struct PreTokenizedText {
    var scalars: [UInt32]
    var starts: [Int32]
    var ends: [Int32]
    /// Non-empty, in order, not overlapping.
    var words: [Range<Int>]

    /// `piece[range]` as a single word (none when the range is empty).
    init(_ piece: NormalizedPiece, _ range: Range<Int>) {
        scalars = Array(piece.scalars[range])
        starts = []
        ends = []
        starts.reserveCapacity(range.count)
        ends.reserveCapacity(range.count)
        for i in range {
            starts.append(piece.start(i))
            ends.append(piece.end(i))
        }
        words = range.isEmpty ? [] : [0..<range.count]
    }

    /// Replaces each word by the sub-ranges `cut` reports for it (empty ones are dropped, as the
    /// reference drops empty splits).
    mutating func splitWords(_ cut: (UnsafeBufferPointer<UInt32>, Range<Int>, (Range<Int>) -> Void) -> Void) {
        var result: [Range<Int>] = []
        result.reserveCapacity(words.count)
        scalars.withUnsafeBufferPointer { text in
            for word in words {
                cut(text, word) { part in if !part.isEmpty { result.append(part) } }
            }
        }
        words = result
    }

    /// Rebuilds the text word by word; `rewrite` appends each word's new scalars through the builder
    /// and reports the new words (a rewrite may also cut).
    mutating func rewriteWords(_ rewrite: (inout Builder, Range<Int>) -> Void) {
        var builder = Builder(source: self)
        for word in words { rewrite(&builder, word) }
        self = builder.result
    }

    /// Collects rewritten words.
    struct Builder {
        let source: PreTokenizedText
        private(set) var result: PreTokenizedText

        init(source: PreTokenizedText) {
            self.source = source
            result = PreTokenizedText(scalars: [], starts: [], ends: [], words: [])
            result.scalars.reserveCapacity(source.scalars.count + source.words.count)
            result.starts.reserveCapacity(source.scalars.count + source.words.count)
            result.ends.reserveCapacity(source.scalars.count + source.words.count)
        }

        var count: Int { result.scalars.count }

        /// Appends `scalar` aligned like source scalar `from`.
        mutating func append(_ scalar: UInt32, alignedWith from: Int) {
            result.scalars.append(scalar)
            result.starts.append(source.starts[from])
            result.ends.append(source.ends[from])
        }

        mutating func addWord(_ range: Range<Int>) {
            if !range.isEmpty { result.words.append(range) }
        }

        /// The new text so far, for cutting the word just appended.
        func withText<R>(_ body: (UnsafeBufferPointer<UInt32>) -> R) -> R { result.scalars.withUnsafeBufferPointer(body) }
    }

    private init(scalars: [UInt32], starts: [Int32], ends: [Int32], words: [Range<Int>]) {
        self.scalars = scalars
        self.starts = starts
        self.ends = ends
        self.words = words
    }
}
