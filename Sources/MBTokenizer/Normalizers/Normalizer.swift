/// The `normalizer` of `tokenizer.json`, read from its `"type"`. Each normalizer rewrites a
/// ``NormalizedPiece`` and keeps every scalar's alignment to the original text, so offsets stay
/// exact whatever the chain does.
indirect enum Normalizer: Sendable {
    case unicode(UnicodeNormalizer)
    case lowercase(LowercaseNormalizer)
    case strip(StripNormalizer)
    case replace(ReplaceNormalizer)
    case prepend(PrependNormalizer)
    case sequence([Normalizer])

    init(json: JSONFields) throws {
        let type = try json.type()
        switch type {
        case "NFC": self = .unicode(UnicodeNormalizer(form: .nfc))
        case "NFD": self = .unicode(UnicodeNormalizer(form: .nfd))
        case "NFKC": self = .unicode(UnicodeNormalizer(form: .nfkc))
        case "NFKD": self = .unicode(UnicodeNormalizer(form: .nfkd))
        case "Lowercase": self = .lowercase(LowercaseNormalizer())
        case "Strip": self = .strip(try StripNormalizer(json: json))
        case "Replace": self = .replace(try ReplaceNormalizer(json: json))
        case "Prepend": self = .prepend(try PrependNormalizer(json: json))
        case "Sequence":
            self = .sequence(try json.array("normalizers").enumerated().map { index, item in
                try Normalizer(json: JSONFields(item, file: json.file, path: json.childPath("normalizers[\(index)]")))
            })
        default:
            throw TokenizerError.unsupportedComponent(file: json.file, component: "normalizer", type: type)
        }
    }

    func normalize(_ piece: inout NormalizedPiece) {
        switch self {
        case let .unicode(n): n.normalize(&piece)
        case let .lowercase(n): n.normalize(&piece)
        case let .strip(n): n.normalize(&piece)
        case let .replace(n): n.normalize(&piece)
        case let .prepend(n): n.normalize(&piece)
        case let .sequence(list): for n in list { n.normalize(&piece) }
        }
    }

    /// Whether this is exactly NFC, which the ByteLevel fast path handles inline.
    var isNFC: Bool {
        if case let .unicode(n) = self { return n.form == .nfc }
        return false
    }
}
