/// The `Replace` normalizer: every match of the pattern becomes `content`. The new scalars are
/// insertions after the match, so they take the alignment of the match's last scalar (or of the
/// scalar before an empty match), as Hugging Face's `NormalizedString::replace` computes it.
struct ReplaceNormalizer: Sendable {
    let pattern: Pattern
    let content: [UInt32]

    init(json: JSONFields) throws {
        pattern = try Pattern(json: json)
        content = try json.string("content").unicodeScalars.map(\.value)
    }

    func normalize(_ piece: inout NormalizedPiece) {
        var matches: [Range<Int>] = []
        piece.scalars.withUnsafeBufferPointer { text in
            pattern.forEachMatch(in: text, bounds: 0..<text.count) { matches.append($0) }
        }
        guard !matches.isEmpty else { return }
        var transform = PieceTransform(piece, capacity: piece.scalars.count + matches.count * content.count)
        var last = 0
        for match in matches {
            transform.copy(match.lowerBound - last)
            transform.skip(match.count)
            for v in content { transform.emit(v, change: 1) }
            last = match.upperBound
        }
        transform.copy(piece.scalars.count - last)
        piece = transform.finish()
    }
}
