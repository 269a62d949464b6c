/// A token from the `added_tokens` list of `tokenizer.json`, matched in the raw text before
/// the model sees it.
public struct AddedToken: Hashable, Sendable {
    public var id: Int32
    public var content: String
    /// Only match when not glued to a word character on either side.
    public var singleWord: Bool
    /// Also swallow whitespace to the left ("is [MASK]" yields one token for " [MASK]").
    public var lstrip: Bool
    /// Also swallow whitespace to the right.
    public var rstrip: Bool
    /// Match against normalized text (`true`) or against the text as given (`false`).
    public var normalized: Bool
    /// Special tokens are dropped by `decode(_:skipSpecialTokens: true)`.
    public var special: Bool
}

extension AddedToken {
    init(json: JSONFields) throws {
        let id = try json.int("id")
        guard let id32 = Int32(exactly: id), id32 >= 0 else {
            throw TokenizerError.invalidValue(file: json.file, path: json.childPath("id"), reason: "\(id) is not a token id")
        }
        self.id = id32
        content = try json.string("content")
        guard !content.isEmpty else {
            throw TokenizerError.invalidValue(file: json.file, path: json.childPath("content"), reason: "empty token")
        }
        singleWord = try json.bool("single_word", default: false)
        lstrip = try json.bool("lstrip", default: false)
        rstrip = try json.bool("rstrip", default: false)
        special = try json.bool("special", default: false)
        // Hugging Face defaults `normalized` to the opposite of `special`.
        normalized = try json.bool("normalized", default: !special)
    }
}
