extension Tokenizer {
    /// Turns ids back into text, like Hugging Face `Tokenizer.decode`: each id's token string
    /// (``token(forId:)``) goes through the file's decoder.
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
        return string(fromTokens: tokens)
    }

    /// Joins token strings into text through the file's decoder, like transformers'
    /// `convert_tokens_to_string` on a fast tokenizer: `["Ġvan", "Ġder"]` gives " van der" with a
    /// ByteLevel decoder, `["▁van", "▁der"]` gives "van der" with a Metaspace one. Without a
    /// decoder the tokens are joined with spaces, as in Hugging Face.
    ///
    /// - Parameter tokens: vocabulary spellings (``token(forId:)``) or text already decoded.
    /// - Returns: the decoded text; invalid UTF-8 from byte tokens becomes U+FFFD.
    public func string(fromTokens tokens: [String]) -> String {
        guard let decoder else { return tokens.joined(separator: " ") }
        return decoder.decodeChain(tokens).joined()
    }
}
