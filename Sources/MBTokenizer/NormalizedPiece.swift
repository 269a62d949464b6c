/// A stretch of normalized text together with where each scalar came from: Hugging Face's
/// `NormalizedString`, over Unicode scalars instead of UTF-8 bytes.
///
/// Offsets must point into the text the caller passed in, so every normalized scalar keeps the
/// range of original scalars it stands for (`starts[i]..<ends[i]`, indices into the whole input).
/// When normalization changed nothing (the overwhelmingly common case) the mapping is the identity
/// shifted by `base`, and no per-scalar arrays are stored.
struct NormalizedPiece {
    var scalars: [UInt32]
    /// Original start of each normalized scalar; empty for an identity mapping.
    var starts: [Int32]
    /// Original end of each normalized scalar; empty for an identity mapping.
    var ends: [Int32]
    /// Where the piece starts in the original text (Hugging Face's `original_shift`): the original
    /// index of scalar 0 under the identity mapping, and the range a scalar inserted before
    /// everything else maps to (`base..<base`).
    var base: Int

    /// The unchanged text `scalars`, which starts at original index `base`.
    init(identity scalars: [UInt32], base: Int) {
        self.scalars = scalars
        starts = []
        ends = []
        self.base = base
    }

    init(scalars: [UInt32], starts: [Int32], ends: [Int32], base: Int) {
        self.scalars = scalars
        self.starts = starts
        self.ends = ends
        self.base = base
    }

    var isIdentity: Bool { starts.isEmpty }

    @inline(__always)
    func start(_ i: Int) -> Int32 { starts.isEmpty ? Int32(truncatingIfNeeded: base + i) : starts[i] }

    @inline(__always)
    func end(_ i: Int) -> Int32 { ends.isEmpty ? Int32(truncatingIfNeeded: base + i + 1) : ends[i] }

    /// Original offsets of the normalized range `start..<end` (non-empty): the first scalar's start
    /// and the last scalar's end, as Hugging Face's `expand_alignments` computes them.
    @inline(__always)
    func originalOffsets(_ start: Int, _ end: Int) -> TokenOffset {
        if starts.isEmpty {
            return TokenOffset(start: base + start, end: base + end)
        }
        return TokenOffset(start: Int(starts[start]), end: Int(ends[end - 1]))
    }
}

/// Rebuilds a piece the way Hugging Face's `NormalizedString::transform` does, so that alignments
/// (and therefore offsets) come out exactly as in the reference.
///
/// The transformation is a stream of `(scalar, change)`: `change == 0` replaces the next source
/// scalar (taking its alignment), `change == -n` replaces it and removes the `n` after it, and
/// `change > 0` inserts a scalar that takes the alignment of the source scalar before the read
/// position (or `base..<base` at the very start). Everything is positional, as in the reference.
struct PieceTransform {
    private let source: NormalizedPiece
    private(set) var scalars: [UInt32] = []
    private(set) var starts: [Int32] = []
    private(set) var ends: [Int32] = []
    /// The next source scalar to be replaced.
    private(set) var read = 0

    init(_ source: NormalizedPiece, capacity: Int? = nil) {
        self.source = source
        let n = capacity ?? source.scalars.count
        scalars.reserveCapacity(n)
        starts.reserveCapacity(n)
        ends.reserveCapacity(n)
    }

    @inline(__always)
    mutating func emit(_ scalar: UInt32, change: Int) {
        if change > 0 {
            if read < 1 {
                append(scalar, Int32(truncatingIfNeeded: source.base), Int32(truncatingIfNeeded: source.base))
            } else {
                append(scalar, source.start(read - 1), source.end(read - 1))
            }
        } else {
            append(scalar, source.start(read), source.end(read))
            read += 1 - change
        }
    }

    /// Copies the next `count` source scalars unchanged.
    mutating func copy(_ count: Int) {
        guard count > 0 else { return }
        scalars.append(contentsOf: source.scalars[read..<(read + count)])
        if source.isIdentity {
            for i in read..<(read + count) {
                starts.append(Int32(truncatingIfNeeded: source.base + i))
                ends.append(Int32(truncatingIfNeeded: source.base + i + 1))
            }
        } else {
            starts.append(contentsOf: source.starts[read..<(read + count)])
            ends.append(contentsOf: source.ends[read..<(read + count)])
        }
        read += count
    }

    /// Drops the next `count` source scalars (the reference's `initial_offset`, or a removal).
    mutating func skip(_ count: Int) { read += count }

    @inline(__always)
    private mutating func append(_ scalar: UInt32, _ start: Int32, _ end: Int32) {
        scalars.append(scalar)
        starts.append(start)
        ends.append(end)
    }

    /// The transformed piece; its original start is the source's.
    func finish() -> NormalizedPiece {
        NormalizedPiece(scalars: scalars, starts: starts, ends: ends, base: source.base)
    }
}
