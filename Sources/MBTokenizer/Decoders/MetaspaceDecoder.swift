/// The `Metaspace` decoder: the replacement character becomes a space, except in the first token
/// when the pre-tokenizer prepends one (`prepend_scheme` other than `never`), where it is dropped.
struct MetaspaceDecoder: Sendable {
    let replacement: Character
    let dropsLeadingReplacement: Bool

    init(json: JSONFields) throws {
        let settings = try MetaspacePreTokenizer(json: json)
        replacement = Character(Unicode.Scalar(settings.replacement)!)
        dropsLeadingReplacement = settings.prependScheme != .never
    }

    func decodeChain(_ tokens: [String]) -> [String] {
        tokens.enumerated().map { index, token in
            var out = ""
            for c in token.unicodeScalars {
                if Character(c) == replacement {
                    if index == 0 && dropsLeadingReplacement { continue }
                    out.unicodeScalars.append(" ")
                } else {
                    out.unicodeScalars.append(c)
                }
            }
            return out
        }
    }
}
