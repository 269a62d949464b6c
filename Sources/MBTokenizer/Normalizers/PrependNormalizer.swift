/// The `Prepend` normalizer: puts a string (SentencePiece's "▁") before a non-empty piece. The
/// added scalars share the alignment of the piece's first scalar, as in the reference.
struct PrependNormalizer: Sendable {
    let prefix: [UInt32]

    init(json: JSONFields) throws {
        prefix = try json.string("prepend").unicodeScalars.map(\.value)
    }

    func normalize(_ piece: inout NormalizedPiece) {
        guard !piece.scalars.isEmpty else { return }
        piece.prepend(prefix)
    }
}

extension NormalizedPiece {
    /// Hugging Face's `NormalizedString::prepend`: the new scalars replace-then-insert at the first
    /// scalar, so all of them, and that scalar, keep its alignment.
    mutating func prepend(_ prefix: [UInt32]) {
        var transform = PieceTransform(self, capacity: scalars.count + prefix.count)
        for (k, v) in prefix.enumerated() { transform.emit(v, change: k == 0 ? 0 : 1) }
        transform.emit(scalars[0], change: 1)
        transform.copy(scalars.count - 1)
        self = transform.finish()
    }
}
