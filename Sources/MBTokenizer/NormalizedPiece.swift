/// A stretch of normalized text together with where each scalar came from.
///
/// Offsets must point into the text the caller passed in, so every normalized scalar keeps
/// the index of the original scalar it stands for. When normalization changed nothing
/// (the overwhelmingly common case) the mapping is the identity shifted by `base`, and no
/// per-scalar array is stored.
struct NormalizedPiece {
    var scalars: [UInt32]
    /// `origin[i]` is the original scalar index normalized scalar `i` came from;
    /// empty for an identity mapping.
    var origin: [Int32]
    /// Original index of scalar 0 when `origin` is empty.
    var base: Int

    /// Original offsets of the normalized range `start..<end` (non-empty).
    @inline(__always)
    func originalOffsets(_ start: Int, _ end: Int) -> TokenOffset {
        if origin.isEmpty {
            return TokenOffset(start: base + start, end: base + end)
        }
        return TokenOffset(start: Int(origin[start]), end: Int(origin[end - 1]) + 1)
    }
}
