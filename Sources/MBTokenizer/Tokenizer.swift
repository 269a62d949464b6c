import Foundation

/// A ModernBERT-style tokenizer loaded from a Hugging Face `tokenizer.json`.
///
/// It implements the components that file declares (NFC normalizer, ByteLevel
/// pre-tokenizer, byte-level BPE, added tokens with their strip/word flags,
/// TemplateProcessing, ByteLevel decoder) and produces the same ids and offsets as the
/// Hugging Face `tokenizers` package. Anything else in a `tokenizer.json` is rejected at
/// load time with a ``TokenizerError`` naming the component, never silently ignored.
///
/// The tokenizer is immutable after `init` and safe to share between threads; its only
/// mutable state is a word cache behind a lock.
///
/// ```swift
/// let tokenizer = try Tokenizer(contentsOf: URL(fileURLWithPath: "ModernBERT-base"))
/// let encoding = tokenizer.encode("The capital of France is [MASK].")
/// // encoding.ids == [50281, 510, 5347, 273, 6181, 310, 50284, 15, 50282]
/// ```
public final class Tokenizer: Sendable {
    let encoder: SequenceEncoder
    let template: TemplateProcessor
    let decoder: ByteLevelDecoder?
    let addedTokens: [AddedToken]
    private let addedTokenIds: [String: Int32]
    private let addedTokensById: [Int32: AddedToken]
    let sharedCacheForEncode = WordCache(shared: true)

    /// Ids of the conventional special tokens, looked up by name in the file.
    public let specialTokens: SpecialTokens

    /// Parses `tokenizer.json` content. `source` names the file in error messages.
    public convenience init(jsonData: Data, source: String = "tokenizer.json", specialTokenNames: SpecialTokenNames = .init()) throws {
        let root: Any
        do {
            root = try JSONReader.parse(jsonData)
        } catch {
            throw TokenizerError.invalidJSON(file: source, reason: "\(error)")
        }
        try self.init(json: JSONFields(root, file: source, path: ""), specialTokenNames: specialTokenNames) { try BPEModel(json: $0) }
    }

    /// Reads every component but the model from the `tokenizer.json` tree; `makeModel` gets the
    /// `model` object and builds the BPE model from it (JSON) or from the compiled form.
    init(json: JSONFields, specialTokenNames: SpecialTokenNames, makeModel: (JSONFields) throws -> BPEModel) throws {
        let source = json.file
        // `truncation` and `padding` defaults stored in the file are ignored on purpose:
        // callers pass `maxLength` explicitly, and padding belongs to batching code.

        var normalizer: NFCNormalizer?
        if let node = try json.optionalObject("normalizer") {
            let type = try node.type()
            guard type == "NFC" else {
                throw TokenizerError.unsupportedComponent(file: source, component: "normalizer", type: type)
            }
            normalizer = NFCNormalizer()
        }

        guard let preNode = try json.optionalObject("pre_tokenizer") else {
            throw TokenizerError.unsupportedComponent(file: source, component: "pre_tokenizer", type: "null")
        }
        let preType = try preNode.type()
        guard preType == "ByteLevel" else {
            throw TokenizerError.unsupportedComponent(file: source, component: "pre_tokenizer", type: preType)
        }
        if try preNode.bool("add_prefix_space", default: false) {
            throw TokenizerError.unsupportedComponent(file: source, component: "pre_tokenizer option", type: "ByteLevel add_prefix_space=true")
        }
        guard try preNode.bool("use_regex", default: true) else {
            throw TokenizerError.unsupportedComponent(file: source, component: "pre_tokenizer option", type: "ByteLevel use_regex=false")
        }

        let model = try makeModel(json.object("model"))

        if let node = try json.optionalObject("post_processor") {
            template = try TemplateProcessor(json: node)
        } else {
            template = .passthrough
        }

        if let node = try json.optionalObject("decoder") {
            let type = try node.type()
            guard type == "ByteLevel" else {
                throw TokenizerError.unsupportedComponent(file: source, component: "decoder", type: type)
            }
            decoder = ByteLevelDecoder()
        } else {
            decoder = nil
        }

        let rawAdded = (json.optional("added_tokens") as? [Any]) ?? []
        addedTokens = try rawAdded.enumerated().map { index, item in
            try AddedToken(json: JSONFields(item, file: source, path: "added_tokens[\(index)]"))
        }
        var raw: [AddedToken] = [], rawPatterns: [[UInt32]] = []
        var normalized: [AddedToken] = [], normalizedPatterns: [[UInt32]] = []
        for token in addedTokens {
            if token.normalized {
                normalized.append(token)
                // Text below U+0300 is NFC already (NFCNormalizer's rule): ModernBERT's added tokens are
                // ASCII, and Foundation's NFC cost ~0.5 ms of loading for nothing.
                let unchanged = normalizer == nil || token.content.unicodeScalars.allSatisfy { $0.value < 0x300 }
                let text = unchanged ? token.content : token.content.precomposedStringWithCanonicalMapping
                normalizedPatterns.append(text.unicodeScalars.map(\.value))
            } else {
                raw.append(token)
                rawPatterns.append(token.content.unicodeScalars.map(\.value))
            }
        }
        encoder = SequenceEncoder(rawAddedTokens: AddedTokenMatcher(tokens: raw, patterns: rawPatterns),
                                  normalizedAddedTokens: AddedTokenMatcher(tokens: normalized, patterns: normalizedPatterns),
                                  normalizer: normalizer, preTokenizer: PreTokenizer(), model: model)
        var ids: [String: Int32] = [:]
        var byId: [Int32: AddedToken] = [:]
        for token in addedTokens {
            ids[token.content] = token.id
            byId[token.id] = token
        }
        addedTokenIds = ids
        addedTokensById = byId
        specialTokens = SpecialTokens(names: specialTokenNames) { name in ids[name] ?? model.vocabulary.id(of: name) }
    }

    /// Loads `tokenizer.json` from a model directory, or from the file itself.
    /// Special token names come from a `tokenizer_config.json` next to it, when present.
    public convenience init(contentsOf url: URL) throws {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        let file = isDirectory.boolValue ? url.appendingPathComponent("tokenizer.json") : url
        guard exists else {
            throw TokenizerError.unreadable(file: url.path, reason: "no such file or directory")
        }
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw TokenizerError.unreadable(file: file.path, reason: error.localizedDescription)
        }
        let config = file.deletingLastPathComponent().appendingPathComponent("tokenizer_config.json")
        let names = try SpecialTokenNames(configAt: config)
        try self.init(jsonData: data, source: file.path, specialTokenNames: names)
    }

    /// Number of ids: the model vocabulary plus added tokens beyond it.
    public var vocabSize: Int {
        max(encoder.model.vocabulary.count, Int(addedTokens.map(\.id).max() ?? -1) + 1)
    }

    /// The id of a token string (added tokens first, then the model vocabulary).
    public func id(forToken token: String) -> Int32? {
        addedTokenIds[token] ?? encoder.model.vocabulary.id(of: token)
    }

    /// The token string of an id, in the vocabulary's byte-level spelling ("Ġthe").
    public func token(forId id: Int32) -> String? {
        if let added = addedTokensById[id] { return added.content }
        return encoder.model.vocabulary.token(id)
    }

    /// Whether `id` is an added token flagged `special` (skipped by `decode`).
    public func isSpecial(_ id: Int32) -> Bool { addedTokensById[id]?.special ?? false }
}
