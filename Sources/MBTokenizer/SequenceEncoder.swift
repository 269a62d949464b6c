/// Encodes one text (no special tokens) through the whole pipeline:
///
/// 1. added tokens that match the raw text (`normalized: false`) are cut out;
/// 2. every remaining stretch is normalized (NFC) with an alignment to the original;
/// 3. added tokens that match normalized text (`normalized: true`) are cut out of that;
/// 4. the rest is split into words by the ByteLevel pre-tokenizer, and each word is turned
///    into UTF-8 bytes and encoded by BPE.
///
/// Offsets are kept in original scalar indices throughout, so they need no conversion at
/// the end.
struct SequenceEncoder: Sendable {
    let rawAddedTokens: AddedTokenMatcher
    let normalizedAddedTokens: AddedTokenMatcher
    let normalizer: NFCNormalizer?
    let preTokenizer: PreTokenizer
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
                let piece = normalizer?.normalize(text, split.start..<split.end)
                    ?? NormalizedPiece(scalars: Array(text[split.start..<split.end]), origin: [], base: split.start)
                normalizedSplits.removeAll(keepingCapacity: true)
                piece.scalars.withUnsafeBufferPointer { normalized in
                    normalizedAddedTokens.split(normalized, 0..<normalized.count, into: &normalizedSplits)
                    for inner in normalizedSplits {
                        if inner.token >= 0 {
                            output.ids.append(normalizedAddedTokens.tokens[inner.token].id)
                            output.offsets.append(piece.originalOffsets(inner.start, inner.end))
                        } else {
                            encodePlain(normalized, inner.start..<inner.end, piece: piece, words: &words,
                                        cache: cache, into: &output)
                        }
                    }
                }
            }
        }
        return output
    }

    /// Pre-tokenizes and BPE-encodes normalized text that contains no added token.
    private func encodePlain(_ normalized: UnsafeBufferPointer<UInt32>, _ range: Range<Int>, piece: NormalizedPiece,
                             words: inout [UInt64], cache: WordCache, into output: inout Output) {
        // Room for a word's bytes (at most 4 per scalar) and the scalar each byte came from.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4 * range.count) { bytes in
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: 4 * range.count) { byteScalar in
                preTokenizer.split(normalized, range) { start, end in
                    var n = 0
                    for i in start..<end {
                        let v = normalized[i]
                        if v < 0x80 {
                            bytes[n] = UInt8(v); byteScalar[n] = Int32(i); n += 1
                        } else {
                            n += Self.appendUTF8(v, bytes, n)
                            for k in (n - Self.utf8Length(v))..<n { byteScalar[k] = Int32(i) }
                        }
                    }
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

    @inline(__always)
    private static func utf8Length(_ v: UInt32) -> Int {
        v < 0x80 ? 1 : v < 0x800 ? 2 : v < 0x10000 ? 3 : 4
    }

    /// Writes the UTF-8 encoding of `v` at `at`; returns the byte count.
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
