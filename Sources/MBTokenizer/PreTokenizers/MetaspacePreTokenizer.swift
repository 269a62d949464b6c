/// The `Metaspace` pre-tokenizer (SentencePiece style): spaces become the replacement character
/// ("▁"), one is put in front of a word according to `prepend_scheme`, and with `split` each word is
/// cut before every replacement character.
struct MetaspacePreTokenizer: Sendable {
    enum PrependScheme: String, Sendable {
        /// Every word that does not start with the replacement gets one.
        case always
        /// Only a word that starts the text (original offset 0).
        case first
        case never
    }

    let replacement: UInt32
    let prependScheme: PrependScheme
    let split: Bool

    /// Reads the fields the way the reference deserializes them: `prepend_scheme` defaults to
    /// `always`, `split` to true, and the legacy `add_prefix_space: false` must come with `never`.
    init(json: JSONFields) throws {
        let text = try json.string("replacement")
        guard text.unicodeScalars.count == 1, let scalar = text.unicodeScalars.first else {
            throw TokenizerError.invalidValue(file: json.file, path: json.childPath("replacement"), reason: "expected one character")
        }
        replacement = scalar.value
        let name = json.optionalString("prepend_scheme") ?? "always"
        guard let scheme = PrependScheme(rawValue: name) else {
            throw TokenizerError.unsupportedComponent(file: json.file, component: "Metaspace prepend_scheme", type: name)
        }
        if let flag = json.optional("add_prefix_space") as? Bool, !flag, scheme != .never {
            throw TokenizerError.invalidValue(file: json.file, path: json.childPath("add_prefix_space"),
                                              reason: "false does not match prepend_scheme '\(name)'")
        }
        prependScheme = scheme
        split = try json.bool("split", default: true)
    }

    func preTokenize(_ text: inout PreTokenizedText) {
        let replacement = self.replacement
        text.rewriteWords { builder, word in
            let start = builder.count
            let first = builder.source.scalars[word.lowerBound]
            let prepend: Bool
            switch prependScheme {
            case .always: prepend = first != 0x20 && first != replacement
            case .first: prepend = first != 0x20 && first != replacement && builder.source.starts[word.lowerBound] == 0
            case .never: prepend = false
            }
            if prepend { builder.append(replacement, alignedWith: word.lowerBound) }
            for i in word {
                let v = builder.source.scalars[i]
                builder.append(v == 0x20 ? replacement : v, alignedWith: i)
            }
            let end = builder.count
            guard split else { return builder.addWord(start..<end) }
            // Each replacement character is a match of its own; MergedWithNext glues it to what follows.
            var splits: [PatternSplit] = []
            builder.withText { s in
                var gap = start
                for i in start..<end where s[i] == replacement {
                    if gap < i { splits.append(PatternSplit(start: gap, end: i, isMatch: false)) }
                    splits.append(PatternSplit(start: i, end: i + 1, isMatch: true))
                    gap = i + 1
                }
                if gap < end { splits.append(PatternSplit(start: gap, end: end, isMatch: false)) }
            }
            SplitDelimiterBehavior.mergedWithNext.apply(splits) { builder.addWord($0) }
        }
    }
}
