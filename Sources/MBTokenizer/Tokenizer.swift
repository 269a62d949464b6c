import Foundation

/// A tokenizer loaded from a Hugging Face `tokenizer.json`.
///
/// It implements the pipeline that file declares (added tokens with their strip/word flags;
/// normalizers NFC, NFD, NFKC, NFKD, Lowercase, Strip, Replace, Prepend and Sequence;
/// pre-tokenizers ByteLevel, Metaspace, Split, Whitespace, WhitespaceSplit and Sequence; the BPE
/// model, byte-level or character-level with byte fallback and unknown-token fusing;
/// TemplateProcessing; decoders ByteLevel, ByteFallback, Fuse, Strip, Replace, Metaspace and
/// Sequence) and produces the same ids and offsets as the Hugging Face `tokenizers` package.
/// Anything else in a `tokenizer.json` is rejected at load time with a ``TokenizerError`` naming the
/// component and option, never silently ignored.
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
    let decoder: Decoder?
    let addedTokens: [AddedToken]
    private let addedTokenIds: [String: Int32]
    private let addedTokensById: [Int32: AddedToken]
    /// The normalized spelling of `normalized` added tokens that the normalizer changes, which
    /// Hugging Face returns from `id_to_token` and feeds to the decoder.
    private let normalizedAddedTokens: [Int32: String]
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
        try self.init(json: JSONFields(root, file: source, path: ""), specialTokenNames: specialTokenNames) {
            try BPEModel(json: $0, characterLevel: $1)
        }
    }

    /// Reads every component but the model from the `tokenizer.json` tree; `makeModel` gets the
    /// `model` object and whether the model reads characters (no ByteLevel pre-tokenizer), and
    /// builds the BPE model from it (JSON) or from the compiled form.
    init(json: JSONFields, specialTokenNames: SpecialTokenNames,
         makeModel: (JSONFields, Bool) throws -> BPEModel) throws {
        let source = json.file
        // `truncation` and `padding` defaults stored in the file are ignored on purpose:
        // callers pass `maxLength` explicitly, and padding belongs to batching code.
        let normalizer = try json.optionalObject("normalizer").map(Normalizer.init(json:))
        let preTokenizer = try json.optionalObject("pre_tokenizer").map(PreTokenizer.init(json:))
        let byteLevel = preTokenizer?.usesByteLevel ?? false

        let modelJSON = try json.object("model")
        let model = try makeModel(modelJSON, !byteLevel)
        if byteLevel {
            if !model.options.prefix.isEmpty || !model.options.suffix.isEmpty {
                throw TokenizerError.unsupportedComponent(file: source, component: "model option",
                                                          type: "BPE continuing_subword_prefix or end_of_word_suffix with a ByteLevel pre-tokenizer")
            }
            if model.options.byteFallback, !model.byteIdsComplete {
                throw TokenizerError.unsupportedComponent(file: source, component: "model option",
                                                          type: "BPE byte_fallback with a ByteLevel pre-tokenizer and an incomplete byte alphabet")
            }
        }

        if let node = try json.optionalObject("post_processor") {
            template = try TemplateProcessor(json: node)
        } else {
            template = .passthrough
        }
        decoder = try json.optionalObject("decoder").map(Decoder.init(json:))

        let rawAdded = (json.optional("added_tokens") as? [Any]) ?? []
        addedTokens = try rawAdded.enumerated().map { index, item in
            try AddedToken(json: JSONFields(item, file: source, path: "added_tokens[\(index)]"))
        }
        var raw: [AddedToken] = [], rawPatterns: [[UInt32]] = []
        var normalized: [AddedToken] = [], normalizedPatterns: [[UInt32]] = []
        var normalizedSpellings: [Int32: String] = [:]
        for token in addedTokens {
            let content = token.content.unicodeScalars.map(\.value)
            if token.normalized {
                // Matched against normalized text, so the pattern is the content normalized.
                var piece = NormalizedPiece(identity: content, base: 0)
                normalizer?.normalize(&piece)
                normalized.append(token)
                normalizedPatterns.append(piece.scalars)
                if piece.scalars != content {
                    var view = String.UnicodeScalarView()
                    for v in piece.scalars { view.append(Unicode.Scalar(v)!) }
                    normalizedSpellings[token.id] = String(view)
                }
            } else {
                raw.append(token)
                rawPatterns.append(content)
            }
        }
        normalizedAddedTokens = normalizedSpellings
        var inline: ByteLevelPreTokenizer?
        if case let .byteLevel(p) = preTokenizer, p.isPlainSplit, normalizer.map(\.isNFC) ?? true {
            inline = p
        }
        encoder = SequenceEncoder(rawAddedTokens: AddedTokenMatcher(tokens: raw, patterns: rawPatterns),
                                  normalizedAddedTokens: AddedTokenMatcher(tokens: normalized, patterns: normalizedPatterns),
                                  normalizer: normalizer, preTokenizer: preTokenizer, inlineByteLevel: inline,
                                  byteLevel: byteLevel, model: model)
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

    /// The id of a token string (added tokens first, by their content, then the model vocabulary).
    public func id(forToken token: String) -> Int32? {
        addedTokenIds[token] ?? encoder.model.vocabulary.id(of: token)
    }

    /// The token string of an id, as Hugging Face's `id_to_token` gives it: the vocabulary's
    /// spelling ("Ġthe", "▁the", "<0x0A>"), an added token's content, or, for an added token matched
    /// after normalization that the normalizer changes, its normalized form.
    public func token(forId id: Int32) -> String? {
        if let added = addedTokensById[id] { return normalizedAddedTokens[id] ?? added.content }
        return encoder.model.vocabulary.token(id)
    }

    /// Whether `id` is an added token flagged `special` (skipped by `decode`).
    public func isSpecial(_ id: Int32) -> Bool { addedTokensById[id]?.special ?? false }
}
