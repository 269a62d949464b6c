/// The `Lowercase` normalizer: Rust's `char::to_lowercase` per scalar (full mappings, so U+0130
/// becomes "i\u{307}"; the added scalar is an insertion aligned with its source).
struct LowercaseNormalizer: Sendable {
    func normalize(_ piece: inout NormalizedPiece) {
        let n = piece.scalars.count
        let firstChange = piece.scalars.withUnsafeBufferPointer { s -> Int? in
            for i in 0..<n where Self.changes(s[i]) { return i }
            return nil
        }
        guard let firstChange else { return }
        var transform = PieceTransform(piece, capacity: n + 4)
        transform.copy(firstChange)
        for i in firstChange..<n {
            let v = piece.scalars[i]
            if v < 0x80 {
                transform.emit((0x41...0x5A).contains(v) ? v + 32 : v, change: 0)
            } else if let packed = CaseMapping.lowercase[v] {
                for k in 0..<CaseMapping.count(packed) {
                    transform.emit(CaseMapping.scalar(packed, k), change: k == 0 ? 0 : 1)
                }
            } else {
                transform.emit(v, change: 0)
            }
        }
        piece = transform.finish()
    }

    @inline(__always)
    private static func changes(_ v: UInt32) -> Bool {
        if v < 0x80 { return (0x41...0x5A).contains(v) }
        return CaseMapping.lowercase[v] != nil
    }
}
