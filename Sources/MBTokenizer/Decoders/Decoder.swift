/// The `decoder` of `tokenizer.json`, read from its `"type"`: turns token strings back into text.
/// Each component maps a list of strings to a list of strings (Hugging Face's `decode_chain`); the
/// tokenizer joins the final list.
indirect enum Decoder: Sendable {
    case byteLevel(ByteLevelDecoder)
    case byteFallback(ByteFallbackDecoder)
    case fuse(FuseDecoder)
    case strip(StripDecoder)
    case replace(ReplaceDecoder)
    case metaspace(MetaspaceDecoder)
    case sequence([Decoder])

    init(json: JSONFields) throws {
        let type = try json.type()
        switch type {
        case "ByteLevel": self = .byteLevel(ByteLevelDecoder())
        case "ByteFallback": self = .byteFallback(ByteFallbackDecoder())
        case "Fuse": self = .fuse(FuseDecoder())
        case "Strip": self = .strip(try StripDecoder(json: json))
        case "Replace": self = .replace(try ReplaceDecoder(json: json))
        case "Metaspace": self = .metaspace(try MetaspaceDecoder(json: json))
        case "Sequence":
            self = .sequence(try json.array("decoders").enumerated().map { index, item in
                try Decoder(json: JSONFields(item, file: json.file, path: json.childPath("decoders[\(index)]")))
            })
        default:
            throw TokenizerError.unsupportedComponent(file: json.file, component: "decoder", type: type)
        }
    }

    func decodeChain(_ tokens: [String]) -> [String] {
        switch self {
        case let .byteLevel(d): return d.decodeChain(tokens)
        case let .byteFallback(d): return d.decodeChain(tokens)
        case let .fuse(d): return d.decodeChain(tokens)
        case let .strip(d): return d.decodeChain(tokens)
        case let .replace(d): return d.decodeChain(tokens)
        case let .metaspace(d): return d.decodeChain(tokens)
        case let .sequence(list): return list.reduce(tokens) { $1.decodeChain($0) }
        }
    }
}
