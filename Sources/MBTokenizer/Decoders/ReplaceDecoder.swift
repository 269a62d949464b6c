/// The `Replace` decoder: in every token, each match of the pattern becomes `content` (SentencePiece
/// files turn "▁" back into " ").
struct ReplaceDecoder: Sendable {
    let pattern: Pattern
    let content: String

    init(json: JSONFields) throws {
        pattern = try Pattern(json: json)
        content = try json.string("content")
    }

    func decodeChain(_ tokens: [String]) -> [String] {
        tokens.map { token in
            let scalars = token.unicodeScalars.map(\.value)
            var view = String.UnicodeScalarView()
            var last = 0
            scalars.withUnsafeBufferPointer { text in
                pattern.forEachMatch(in: text, bounds: 0..<text.count) { match in
                    for v in scalars[last..<match.lowerBound] { view.append(Unicode.Scalar(v)!) }
                    view.append(contentsOf: content.unicodeScalars)
                    last = match.upperBound
                }
            }
            for v in scalars[last...] { view.append(Unicode.Scalar(v)!) }
            return String(view)
        }
    }
}
