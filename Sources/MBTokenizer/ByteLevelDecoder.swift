/// The ByteLevel decoder: maps byte-level token spellings back to bytes, then UTF-8.
///
/// A token containing any character outside the byte alphabet (an added token such as
/// "[MASK]" or a run of spaces) contributes its own UTF-8 bytes instead, and invalid UTF-8
/// becomes U+FFFD, as in Hugging Face (`String::from_utf8_lossy`).
struct ByteLevelDecoder: Sendable {
    func bytes(of token: String) -> [UInt8] {
        ByteLevelAlphabet.bytes(of: token) ?? Array(token.utf8)
    }
}

extension Tokenizer {
    /// Turns ids back into text, like Hugging Face `Tokenizer.decode`.
    ///
    /// Special added tokens are dropped when `skipSpecialTokens` is set. Unknown ids are
    /// skipped. No "clean up tokenization spaces" step runs: that belongs to the
    /// `transformers` library, not to `tokenizers`.
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = true) -> String {
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            if skipSpecialTokens && isSpecial(id) { continue }
            if let token = token(forId: id) { tokens.append(token) }
        }
        guard let decoder else { return tokens.joined(separator: " ") }
        var bytes: [UInt8] = []
        for token in tokens { bytes.append(contentsOf: decoder.bytes(of: token)) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
