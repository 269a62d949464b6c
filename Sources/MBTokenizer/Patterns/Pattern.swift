/// The pattern of a `Split` pre-tokenizer or a `Replace` normalizer or decoder, as `tokenizer.json`
/// serializes it: `{"String": " "}` or `{"Regex": "\\s+"}`.
///
/// Hugging Face compiles both with Oniguruma (a string is escaped first), so a string pattern is a
/// plain left-to-right search for non-overlapping occurrences; only the empty string needs the
/// regex engine's rule for empty matches.
enum Pattern: Sendable {
    case literal([UInt32])
    case regex(ScalarRegex)

    init(json: JSONFields, key: String = "pattern") throws {
        let node = try json.object(key)
        if let text = node.optionalString("String") {
            self = text.isEmpty ? .regex(try ScalarRegex("")) : .literal(text.unicodeScalars.map(\.value))
        } else if let text = node.optionalString("Regex") {
            do {
                self = .regex(try ScalarRegex(text))
            } catch {
                throw TokenizerError.unsupportedComponent(file: json.file, component: "regex at '\(node.path)'",
                                                          type: "\(text)': \(error)")
            }
        } else {
            throw TokenizerError.invalidValue(file: json.file, path: node.path, reason: "expected {\"String\": ...} or {\"Regex\": ...}")
        }
    }

    /// Calls `body` with each match in `text[bounds]`, left to right.
    func forEachMatch(in text: UnsafeBufferPointer<UInt32>, bounds: Range<Int>, _ body: (Range<Int>) -> Void) {
        switch self {
        case let .regex(regex):
            regex.forEachMatch(in: text, bounds: bounds, body)
        case let .literal(needle):
            guard let first = needle.first else { return }
            var i = bounds.lowerBound
            let last = bounds.upperBound - needle.count
            while i <= last {
                if text[i] == first, (1..<needle.count).allSatisfy({ text[i + $0] == needle[$0] }) {
                    body(i..<(i + needle.count))
                    i += needle.count
                } else {
                    i += 1
                }
            }
        }
    }

    /// Hugging Face's `Pattern::find_matches`: the whole of `text[bounds]` cut into alternating
    /// stretches, each flagged as a match or not (one non-match for empty bounds).
    func splits(in text: UnsafeBufferPointer<UInt32>, bounds: Range<Int>, into out: inout [PatternSplit]) {
        out.removeAll(keepingCapacity: true)
        if bounds.isEmpty {
            out.append(PatternSplit(start: bounds.lowerBound, end: bounds.lowerBound, isMatch: false))
            return
        }
        var previous = bounds.lowerBound
        forEachMatch(in: text, bounds: bounds) { match in
            if previous != match.lowerBound {
                out.append(PatternSplit(start: previous, end: match.lowerBound, isMatch: false))
            }
            out.append(PatternSplit(start: match.lowerBound, end: match.upperBound, isMatch: true))
            previous = match.upperBound
        }
        if previous != bounds.upperBound {
            out.append(PatternSplit(start: previous, end: bounds.upperBound, isMatch: false))
        }
    }
}

/// One stretch of a text cut by a pattern.
struct PatternSplit: Equatable {
    var start: Int
    var end: Int
    var isMatch: Bool
}
