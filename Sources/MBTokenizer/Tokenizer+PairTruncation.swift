import Foundation

extension Tokenizer {
    /// Encodes a text or a pair of texts truncated to `maxLength` with a chosen strategy, as
    /// transformers' `tokenizer(text, text_pair, truncation=strategy, max_length=maxLength)` does
    /// (same ids, offsets and errors).
    ///
    /// - Parameters:
    ///   - input: the text and its optional second text (`text_pair`).
    ///   - maxLength: the limit, special tokens included. A limit smaller than the template's
    ///     special tokens disables truncation, as in Hugging Face.
    ///   - truncation: which text gives up tokens (``TruncationStrategy``).
    ///   - addSpecialTokens: wrap in the template (`[CLS] A [SEP] B [SEP]`).
    /// - Returns: the encoding and whether any token was removed.
    /// - Throws: ``TruncationError`` where `tokenizers` raises one: `only_second` without a second
    ///   text, or a strategy whose text is too short to absorb the cut.
    public func encode(_ input: TokenizerInput, maxLength: Int, truncation: TruncationStrategy,
                       addSpecialTokens: Bool = true) throws -> (encoding: Encoding, truncated: Bool) {
        try encode(input.text, pair: input.pair, addSpecialTokens: addSpecialTokens, maxLength: maxLength,
                   strategy: truncation, cache: sharedCacheForEncode)
    }
}
