import Foundation

/// Names of the conventional special tokens, as `tokenizer_config.json` spells them.
///
/// `tokenizer.json` itself does not say which added token is the mask or the padding, so the
/// names come from the config file that accompanies it, with BERT's names as the default.
public struct SpecialTokenNames: Hashable, Sendable {
    public var cls = "[CLS]"
    public var sep = "[SEP]"
    public var mask = "[MASK]"
    public var pad = "[PAD]"
    public var unk = "[UNK]"

    public init() {}

    /// Reads `cls_token` etc. from a `tokenizer_config.json`; a missing file gives defaults.
    init(configAt url: URL) throws {
        guard let data = try? Data(contentsOf: url) else { self.init(); return }
        try self.init(configData: data, source: url.path)
    }

    /// Reads the names from `tokenizer_config.json` content (for example as stored in a model file).
    public init(configData data: Data, source: String = "tokenizer_config.json") throws {
        guard let root = try? JSONReader.parse(data) as? [String: Any] else {
            throw TokenizerError.invalidJSON(file: source, reason: "expected a JSON object")
        }
        // Entries are either strings or {"content": ...} objects in older files.
        func name(_ key: String) -> String? {
            if let text = root[key] as? String { return text }
            return (root[key] as? [String: Any])?["content"] as? String
        }
        cls = name("cls_token") ?? cls
        sep = name("sep_token") ?? sep
        mask = name("mask_token") ?? mask
        pad = name("pad_token") ?? pad
        unk = name("unk_token") ?? unk
    }
}

/// Ids of the conventional special tokens; `nil` when the vocabulary lacks one.
public struct SpecialTokens: Hashable, Sendable {
    public var cls: Int32?
    public var sep: Int32?
    public var mask: Int32?
    public var pad: Int32?
    public var unk: Int32?

    init(names: SpecialTokenNames, lookup: (String) -> Int32?) {
        cls = lookup(names.cls)
        sep = lookup(names.sep)
        mask = lookup(names.mask)
        pad = lookup(names.pad)
        unk = lookup(names.unk)
    }
}
