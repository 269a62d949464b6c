/// The `Strip` normalizer: removes leading and/or trailing whitespace (Unicode White_Space, Rust's
/// `char::is_whitespace`); the scalars that stay keep their alignment.
struct StripNormalizer: Sendable {
    let left: Bool
    let right: Bool

    init(json: JSONFields) throws {
        left = try json.bool("strip_left", default: true)
        right = try json.bool("strip_right", default: true)
    }

    func normalize(_ piece: inout NormalizedPiece) {
        let s = piece.scalars
        var start = 0, end = s.count
        if left { while start < end, UnicodeCategory.isWhitespace(s[start]) { start += 1 } }
        if right { while end > start, UnicodeCategory.isWhitespace(s[end - 1]) { end -= 1 } }
        guard start > 0 || end < s.count else { return }
        var transform = PieceTransform(piece, capacity: end - start)
        transform.skip(start)
        transform.copy(end - start)
        piece = transform.finish()
    }
}
