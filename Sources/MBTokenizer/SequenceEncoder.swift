/// Encodes one text (no special tokens) through the whole pipeline, as Hugging Face's
/// `extract_and_normalize`, `pre_tokenize` and `tokenize` do:
///
/// 1. added tokens that match the raw text (`normalized: false`) are cut out;
/// 2. every remaining stretch is normalized with an alignment to the original;
/// 3. added tokens that match normalized text (`normalized: true`) are cut out of that;
/// 4. the rest is cut into words by the pre-tokenizer, and each word is encoded by BPE (as UTF-8
///    bytes for a byte-level model, as scalars for a character-level one).
///
/// Offsets are kept in original scalar indices throughout, so they need no conversion at the end.
/// The common ModernBERT/GPT-2 configuration (NFC or nothing, then ByteLevel with its defaults)
/// runs the pre-tokenizer's scanner inline over the normalized text, without building word lists.
struct SequenceEncoder: Sendable {
    let rawAddedTokens: AddedTokenMatcher
    let normalizedAddedTokens: AddedTokenMatcher
    let normalizer: Normalizer?
    let preTokenizer: PreTokenizer?
    /// Set for the inline byte-level configuration.
    let inlineByteLevel: ByteLevelPreTokenizer?
    /// Words reach the model as bytes (a ByteLevel pre-tokenizer), else as scalars.
    let byteLevel: Bool
    let model: BPEModel

    /// Token ids and offsets of one sequence.
    struct Output {
        var ids: [Int32] = []
        var offsets: [TokenOffset] = []
    }

    func encode(_ text: String, cache: WordCache) -> Output {
        var scalars: [UInt32] = []
        scalars.reserveCapacity(text.utf8.count)
        for s in text.unicodeScalars { scalars.append(s.value) }
        var output = Output()
        output.ids.reserveCapacity(scalars.count / 3 + 4)
        output.offsets.reserveCapacity(scalars.count / 3 + 4)
        var rawSplits: [AddedTokenMatcher.Split] = []
        var normalizedSplits: [AddedTokenMatcher.Split] = []
        var words: [UInt64] = []
        scalars.withUnsafeBufferPointer { text in
            rawAddedTokens.split(text, 0..<text.count, into: &rawSplits)
            for split in rawSplits {
                if split.token >= 0 {
                    output.ids.append(rawAddedTokens.tokens[split.token].id)
                    output.offsets.append(TokenOffset(start: split.start, end: split.end))
                    continue
                }
                var piece = NormalizedPiece(identity: Array(text[split.start..<split.end]), base: split.start)
                normalizer?.normalize(&piece)
                normalizedSplits.removeAll(keepingCapacity: true)
                piece.scalars.withUnsafeBufferPointer { normalized in
                    normalizedAddedTokens.split(normalized, 0..<normalized.count, into: &normalizedSplits)
                    for inner in normalizedSplits {
                        if inner.token >= 0 {
                            output.ids.append(normalizedAddedTokens.tokens[inner.token].id)
                            output.offsets.append(piece.originalOffsets(inner.start, inner.end))
                        } else if let inlineByteLevel {
                            encodeInline(inlineByteLevel, normalized, inner.start..<inner.end, piece: piece, words: &words,
                                         cache: cache, into: &output)
                        } else {
                            encodeWords(PreTokenizedText(piece, inner.start..<inner.end), words: &words, cache: cache, into: &output)
                        }
                    }
                }
            }
        }
        return output
    }

    /// The inline byte-level path: splits with the GPT-2 scanner and BPE-encodes each word's bytes.
    private func encodeInline(_ preTokenizer: ByteLevelPreTokenizer, _ normalized: UnsafeBufferPointer<UInt32>,
                              _ range: Range<Int>, piece: NormalizedPiece,
                              words: inout [UInt64], cache: WordCache, into output: inout Output) {
        // Room for a word's bytes (at most 4 per scalar) and the scalar each byte came from.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4 * range.count) { bytes in
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: 4 * range.count) { byteScalar in
                preTokenizer.split(normalized, range) { start, end in
                    let n = Self.utf8(normalized, start..<end, bytes, byteScalar)
                    words.removeAll(keepingCapacity: true)
                    model.encode(word: UnsafeBufferPointer(rebasing: bytes[0..<n]), cache: cache, into: &words)
                    var at = 0
                    for token in words {
                        let length = Int(truncatingIfNeeded: token & 0xFFFF_FFFF)
                        output.ids.append(Int32(truncatingIfNeeded: token >> 32))
                        output.offsets.append(piece.originalOffsets(Int(byteScalar[at]), Int(byteScalar[at + length - 1]) + 1))
                        at += length
                    }
                }
            }
        }
    }

    /// The general path: runs the pre-tokenizer over the piece, then encodes each word.
    private func encodeWords(_ text: PreTokenizedText, words: inout [UInt64], cache: WordCache, into output: inout Output) {
        var text = text
        guard !text.words.isEmpty else { return }
        preTokenizer?.preTokenize(&text)
        guard !text.words.isEmpty else { return }
        let longest = text.words.reduce(0) { max($0, $1.count) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4 * longest) { bytes in
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: 4 * longest) { byteScalar in
                text.scalars.withUnsafeBufferPointer { scalars in
                    for word in text.words {
                        let n = Self.utf8(scalars, word, bytes, byteScalar)
                        let wordBytes = UnsafeBufferPointer(rebasing: bytes[0..<n])
                        words.removeAll(keepingCapacity: true)
                        if byteLevel {
                            model.encode(word: wordBytes, cache: cache, into: &words)
                        } else {
                            model.encode(characters: UnsafeBufferPointer(rebasing: scalars[word]), bytes: wordBytes,
                                         cache: cache, into: &words)
                        }
                        var at = 0
                        for token in words {
                            let length = Int(truncatingIfNeeded: token & 0xFFFF_FFFF)
                            let first = Int(byteScalar[at]), last = Int(byteScalar[at + length - 1])
                            output.ids.append(Int32(truncatingIfNeeded: token >> 32))
                            output.offsets.append(TokenOffset(start: Int(text.starts[first]), end: Int(text.ends[last])))
                            at += length
                        }
                    }
                }
            }
        }
    }

    /// Writes the UTF-8 of `scalars[range]` and, for each byte, the index of its scalar; returns the byte count.
    @inline(__always)
    private static func utf8(_ scalars: UnsafeBufferPointer<UInt32>, _ range: Range<Int>,
                             _ bytes: UnsafeMutableBufferPointer<UInt8>, _ byteScalar: UnsafeMutableBufferPointer<Int32>) -> Int {
        var n = 0
        for i in range {
            let v = scalars[i]
            if v < 0x80 {
                bytes[n] = UInt8(v); byteScalar[n] = Int32(i); n += 1
            } else {
                let length = appendUTF8(v, bytes, n)
                for k in n..<(n + length) { byteScalar[k] = Int32(i) }
                n += length
            }
        }
        return n
    }

    /// Writes the UTF-8 encoding of a non-ASCII `v` at `at`; returns the byte count.
    @inline(__always)
    private static func appendUTF8(_ v: UInt32, _ out: UnsafeMutableBufferPointer<UInt8>, _ at: Int) -> Int {
        if v < 0x800 {
            out[at] = UInt8(0xC0 | (v >> 6)); out[at + 1] = UInt8(0x80 | (v & 0x3F))
            return 2
        }
        if v < 0x10000 {
            out[at] = UInt8(0xE0 | (v >> 12)); out[at + 1] = UInt8(0x80 | ((v >> 6) & 0x3F))
            out[at + 2] = UInt8(0x80 | (v & 0x3F))
            return 3
        }
        out[at] = UInt8(0xF0 | (v >> 18)); out[at + 1] = UInt8(0x80 | ((v >> 12) & 0x3F))
        out[at + 2] = UInt8(0x80 | ((v >> 6) & 0x3F)); out[at + 3] = UInt8(0x80 | (v & 0x3F))
        return 4
    }
}
