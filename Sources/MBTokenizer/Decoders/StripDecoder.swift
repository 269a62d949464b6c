/// The `Strip` decoder: removes up to `start` leading and `stop` trailing occurrences of `content`
/// from every token (Llama's `Strip(" ", 1, 0)` drops the space the prefix "▁" decoded to).
struct StripDecoder: Sendable {
    let content: Character
    let start: Int
    let stop: Int

    init(json: JSONFields) throws {
        let text = try json.string("content")
        guard text.unicodeScalars.count == 1 else {
            throw TokenizerError.invalidValue(file: json.file, path: json.childPath("content"), reason: "expected one character")
        }
        content = Character(text)
        start = try json.int("start")
        stop = try json.int("stop")
        guard start >= 0, stop >= 0 else {
            throw TokenizerError.invalidValue(file: json.file, path: json.path, reason: "start and stop must not be negative")
        }
    }

    func decodeChain(_ tokens: [String]) -> [String] {
        let target = content.unicodeScalars.first!
        return tokens.map { token in
            let scalars = Array(token.unicodeScalars)
            var head = 0
            while head < min(start, scalars.count), scalars[head] == target { head += 1 }
            var tail = scalars.count
            // The reference indexes from the end without a bound; a token shorter than `stop`
            // (a panic there) simply stops here.
            while scalars.count - tail < stop, tail > head, scalars[tail - 1] == target { tail -= 1 }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[head..<tail])
            return String(view)
        }
    }
}
