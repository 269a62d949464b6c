/// The `pre_tokenizer` of `tokenizer.json`, read from its `"type"`: cuts each normalized piece into
/// the words the model encodes one at a time, keeping every scalar's alignment.
indirect enum PreTokenizer: Sendable {
    case byteLevel(ByteLevelPreTokenizer)
    case metaspace(MetaspacePreTokenizer)
    case split(SplitPreTokenizer)
    case whitespace(WhitespacePreTokenizer)
    case whitespaceSplit(WhitespaceSplitPreTokenizer)
    case sequence([PreTokenizer])

    init(json: JSONFields) throws {
        let type = try json.type()
        switch type {
        case "ByteLevel": self = .byteLevel(try ByteLevelPreTokenizer(json: json))
        case "Metaspace": self = .metaspace(try MetaspacePreTokenizer(json: json))
        case "Split": self = .split(try SplitPreTokenizer(json: json))
        case "Whitespace": self = .whitespace(WhitespacePreTokenizer())
        case "WhitespaceSplit": self = .whitespaceSplit(WhitespaceSplitPreTokenizer())
        case "Sequence":
            let list = try json.array("pretokenizers").enumerated().map { index, item in
                try PreTokenizer(json: JSONFields(item, file: json.file, path: json.childPath("pretokenizers[\(index)]")))
            }
            // The byte-level alphabet is applied when the model reads the words, so nothing may
            // look at the text after ByteLevel has run.
            if let at = list.firstIndex(where: \.usesByteLevel), at != list.count - 1 {
                throw TokenizerError.unsupportedComponent(file: json.file, component: "pre_tokenizer Sequence",
                                                          type: "ByteLevel followed by other pre-tokenizers")
            }
            self = .sequence(list)
        default:
            throw TokenizerError.unsupportedComponent(file: json.file, component: "pre_tokenizer", type: type)
        }
    }

    func preTokenize(_ text: inout PreTokenizedText) {
        switch self {
        case let .byteLevel(p): p.preTokenize(&text)
        case let .metaspace(p): p.preTokenize(&text)
        case let .split(p): p.preTokenize(&text)
        case let .whitespace(p): p.preTokenize(&text)
        case let .whitespaceSplit(p): p.preTokenize(&text)
        case let .sequence(list): for p in list { p.preTokenize(&text) }
        }
    }

    /// Whether words reach the model as bytes in GPT-2's alphabet.
    var usesByteLevel: Bool {
        switch self {
        case .byteLevel: return true
        case let .sequence(list): return list.contains(where: \.usesByteLevel)
        default: return false
        }
    }
}
