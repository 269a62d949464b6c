/// Sequences of different lengths packed end to end into one token matrix.
///
/// Linear layers see one [tokens, features] matrix with no padding rows, so no work is spent on
/// padding; attention uses `ranges` to stay inside each sequence.
public struct PackedBatch: Sendable {
    public let ids: [Int32]
    /// Token rows of each sequence in the packed matrix.
    public let ranges: [Range<Int>]

    public var tokenCount: Int { ids.count }
    public var longest: Int { ranges.map(\.count).max() ?? 0 }

    /// - Throws: `ModelError` when a sequence is empty, longer than `maxLength`, or has an id outside the vocabulary.
    public init(_ sequences: [[Int32]], vocabSize: Int, maxLength: Int) throws {
        var ids: [Int32] = []
        var ranges: [Range<Int>] = []
        ids.reserveCapacity(sequences.reduce(0) { $0 + $1.count })
        for (index, s) in sequences.enumerated() {
            guard !s.isEmpty else { throw ModelError.emptySequence(index: index) }
            guard s.count <= maxLength else { throw ModelError.sequenceTooLong(index: index, length: s.count, max: maxLength) }
            for (position, id) in s.enumerated() where id < 0 || Int(id) >= vocabSize {
                throw ModelError.tokenOutOfRange(index: index, position: position, id: Int(id), vocabSize: vocabSize)
            }
            ranges.append(ids.count..<(ids.count + s.count))
            ids.append(contentsOf: s)
        }
        self.ids = ids
        self.ranges = ranges
    }
}
