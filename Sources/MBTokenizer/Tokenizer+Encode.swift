import Foundation

/// One input to ``Tokenizer/encodeBatch(_:addSpecialTokens:maxLength:)``: a text and an
/// optional second text (e.g. question and passage).
public struct TokenizerInput: Hashable, Sendable, ExpressibleByStringLiteral {
    public var text: String
    public var pair: String?

    public init(_ text: String, pair: String? = nil) {
        self.text = text
        self.pair = pair
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }
}

extension Tokenizer {
    /// Encodes a text, or a pair of texts, as Hugging Face `tokenizers` does.
    ///
    /// - Parameters:
    ///   - addSpecialTokens: wrap in the post-processor template ([CLS] … [SEP]).
    ///   - maxLength: truncate so the result, special tokens included, has at most this many
    ///     tokens (strategy `longest_first`, from the right). As in Hugging Face, a limit
    ///     smaller than the number of special tokens disables truncation.
    public func encode(_ text: String, pair: String? = nil, addSpecialTokens: Bool = true,
                       maxLength: Int? = nil) -> Encoding {
        encode(text, pair: pair, addSpecialTokens: addSpecialTokens, maxLength: maxLength, cache: sharedCacheForEncode)
    }

    /// Encodes many inputs in parallel over all cores; results are in input order.
    public func encodeBatch(_ inputs: [TokenizerInput], addSpecialTokens: Bool = true,
                            maxLength: Int? = nil) -> [Encoding] {
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, max(1, inputs.count / 8))
        if workers <= 1 {
            return inputs.map { encode($0.text, pair: $0.pair, addSpecialTokens: addSpecialTokens, maxLength: maxLength) }
        }
        var results = [Encoding](repeating: Encoding(), count: inputs.count)
        results.withUnsafeMutableBufferPointer { buffer in
            let out = UncheckedSendableBuffer(buffer)
            // Interleaved chunks balance uneven text lengths; each worker has its own cache.
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let cache = WordCache(shared: false)
                var i = worker
                while i < inputs.count {
                    let input = inputs[i]
                    out.buffer[i] = encode(input.text, pair: input.pair, addSpecialTokens: addSpecialTokens,
                                           maxLength: maxLength, cache: cache)
                    i += workers
                }
            }
        }
        return results
    }

    /// Encodes plain texts in parallel; see ``encodeBatch(_:addSpecialTokens:maxLength:)``.
    public func encodeBatch(_ texts: [String], addSpecialTokens: Bool = true, maxLength: Int? = nil) -> [Encoding] {
        encodeBatch(texts.map { TokenizerInput($0) }, addSpecialTokens: addSpecialTokens, maxLength: maxLength)
    }

    func encode(_ text: String, pair: String?, addSpecialTokens: Bool, maxLength: Int?, cache: WordCache) -> Encoding {
        // longest_first never throws.
        (try? encode(text, pair: pair, addSpecialTokens: addSpecialTokens, maxLength: maxLength,
                     strategy: .longestFirst, cache: cache).encoding) ?? Encoding()
    }

    /// Encodes, truncates with `strategy` when `maxLength` is set, applies the template; `truncated`
    /// tells whether any token was removed.
    func encode(_ text: String, pair: String?, addSpecialTokens: Bool, maxLength: Int?, strategy: TruncationStrategy,
                cache: WordCache) throws -> (encoding: Encoding, truncated: Bool) {
        var sequences = [encoder.encode(text, cache: cache)]
        if let pair { sequences.append(encoder.encode(pair, cache: cache)) }
        var truncated = false
        if let maxLength {
            let added = addSpecialTokens ? template.addedCount(pair: pair != nil) : 0
            // Hugging Face subtracts with unsigned wrap-around: a limit below the template
            // size leaves the input untruncated.
            if maxLength >= added {
                let before = sequences.reduce(0) { $0 + $1.ids.count }
                try Truncation.apply(&sequences, budget: maxLength - added, strategy: strategy)
                truncated = sequences.reduce(0) { $0 + $1.ids.count } < before
            }
        }
        return (template.apply(sequences, addSpecialTokens: addSpecialTokens), truncated)
    }
}

/// Lets `concurrentPerform` workers write disjoint slots of one buffer.
private struct UncheckedSendableBuffer<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
    init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
}
