import Foundation

/// Byte-pair encoding, Hugging Face's `BPE` model: a vocabulary and a ranked list of merges.
///
/// Everything runs on integer ids. A word starts as one symbol per unit and the adjacent pair
/// whose merge has the lowest rank is merged (leftmost first on ties) until no pair merges, the
/// order Hugging Face's priority queue produces. The unit depends on the pre-tokenizer:
/// - byte-level (a `ByteLevel` pre-tokenizer): each UTF-8 byte, spelled in GPT-2's alphabet;
/// - character-level (SentencePiece-style vocabularies): each scalar, looked up as a one-character
///   token (with `continuing_subword_prefix` / `end_of_word_suffix` where set); a scalar without
///   a token becomes its UTF-8 bytes as `<0xXX>` tokens with `byte_fallback`, else the unknown
///   token (runs of them fused into one with `fuse_unk`), else nothing.
struct BPEModel: Sendable {
    /// The `model` options of `tokenizer.json` this implementation honours.
    struct Options: Sendable {
        var unknownToken: String?
        var fuseUnknown = false
        var byteFallback = false
        var ignoreMerges = false
        /// `continuing_subword_prefix`: spells every unit but a word's first (merges drop it from the right part).
        var prefix: [UInt8] = []
        /// `end_of_word_suffix`: spells a word's last unit.
        var suffix: [UInt8] = []
    }

    let vocabulary: Vocabulary
    /// The merges as (left, right, merged) id triples in rank order: what the file lists and the
    /// compiled form stores; `merges` is built from it.
    let rankedMerges: [Int32]
    let merges: MergeTable
    let options: Options
    /// Id of `options.unknownToken`, when the vocabulary has it.
    let unknownId: Int32?
    /// Id of each byte's symbol in GPT-2's alphabet, or -1.
    let byteIds: [Int32]
    /// Whether all 256 byte symbols exist (then a byte-level word needs no unknown handling).
    let byteIdsComplete: Bool
    /// Ids of `<0x00>` ... `<0xFF>` with `byte_fallback` (-1 where missing); empty without it.
    let fallbackIds: [Int32]
    /// Character-level initial symbols: plain, prefixed, suffixed, both (the last three only with a
    /// prefix or suffix); empty for a byte-level model.
    private let scalarIds: [ScalarIdTable]

    /// The caller guarantees every id is in the vocabulary (the JSON reader and the compiled
    /// reader both check it).
    init(vocabulary: Vocabulary, rankedMerges: [Int32], options: Options, characterLevel: Bool) {
        var table = MergeTable(capacity: rankedMerges.count / 3)
        rankedMerges.withUnsafeBufferPointer { m in
            for rank in 0..<(m.count / 3) {
                table.insert(left: m[3 * rank], right: m[3 * rank + 1], rank: Int32(rank), merged: m[3 * rank + 2])
            }
        }
        self.vocabulary = vocabulary
        self.rankedMerges = rankedMerges
        self.merges = table
        self.options = options
        unknownId = options.unknownToken.flatMap { vocabulary.id(of: $0) }
        byteIds = Self.byteLevelIds(vocabulary)
        byteIdsComplete = !byteIds.contains(-1)
        fallbackIds = options.byteFallback ? Self.fallbackIds(vocabulary) : []
        scalarIds = characterLevel ? Self.scalarTables(vocabulary, options) : []
    }

    /// The ids of the 256 symbols of GPT-2's byte alphabet (-1 where the vocabulary lacks one).
    static func byteLevelIds(_ vocabulary: Vocabulary) -> [Int32] {
        (0..<256).map { b in
            vocabulary.id(of: String(Character(Unicode.Scalar(ByteLevelAlphabet.scalarForByte[b])!))) ?? -1
        }
    }

    /// The ids of the byte-fallback tokens `<0x00>` ... `<0xFF>` (-1 where missing).
    static func fallbackIds(_ vocabulary: Vocabulary) -> [Int32] {
        (0..<256).map { b in vocabulary.id(of: fallbackToken(UInt8(b))) ?? -1 }
    }

    /// Hugging Face spells byte b as `format!("<{b:#04X}>")`: "<0x0A>".
    static func fallbackToken(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "<0x\(digits[Int(byte >> 4)])\(digits[Int(byte & 15)])>"
    }

    /// One table per spelling of a unit, from every vocabulary token that is exactly one scalar
    /// (after removing the prefix and/or suffix).
    private static func scalarTables(_ vocabulary: Vocabulary, _ options: Options) -> [ScalarIdTable] {
        let decorated = !options.prefix.isEmpty || !options.suffix.isEmpty
        let kinds = decorated ? 4 : 1
        var singles: [[(UInt32, Int32)]] = Array(repeating: [], count: kinds)
        vocabulary.bytes.withUnsafeBufferPointer { bytes in
            for id in 0..<vocabulary.count {
                let range = vocabulary.range(id)
                if range.isEmpty { continue }
                let token = UnsafeBufferPointer(rebasing: bytes[range])
                for kind in 0..<kinds {
                    let head = kind & 1 != 0 ? options.prefix : [], tail = kind & 2 != 0 ? options.suffix : []
                    guard token.count > head.count + tail.count, token.starts(with: head),
                          token[(token.count - tail.count)...].elementsEqual(tail) else { continue }
                    let core = UnsafeBufferPointer(rebasing: token[head.count..<(token.count - tail.count)])
                    if let scalar = singleScalar(core) { singles[kind].append((scalar, Int32(id))) }
                }
            }
        }
        return singles.map { entries in
            var table = ScalarIdTable(capacity: entries.count)
            for (scalar, id) in entries { table.insert(scalar, id) }
            return table
        }
    }

    /// The scalar `utf8` encodes when it is exactly one (valid UTF-8 is guaranteed by the readers).
    private static func singleScalar(_ utf8: UnsafeBufferPointer<UInt8>) -> UInt32? {
        guard let lead = utf8.first else { return nil }
        let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
        guard utf8.count == length else { return nil }
        if length == 1 { return UInt32(lead) }
        var value = UInt32(lead) & (0xFF >> (length + 1))
        for k in 1..<length { value = value << 6 | UInt32(utf8[k] & 0x3F) }
        return value
    }

    /// The id of a unit's spelling: `kind` bit 0 = not the word's first unit (prefix), bit 1 = its last (suffix).
    @inline(__always)
    private func scalarId(_ scalar: UInt32, first: Bool, last: Bool) -> Int32 {
        if scalarIds.count == 1 { return scalarIds[0].id(scalar) }
        var kind = 0
        if !first && !options.prefix.isEmpty { kind |= 1 }
        if last && !options.suffix.isEmpty { kind |= 2 }
        return scalarIds[kind].id(scalar)
    }

    // MARK: - Encoding

    /// Appends the tokens of one byte-level word (its UTF-8 bytes) as `id << 32 | byteLength`.
    @inline(__always)
    func encode(word bytes: UnsafeBufferPointer<UInt8>, cache: WordCache, into out: inout [UInt64]) {
        if bytes.count == 1, byteIdsComplete, !options.ignoreMerges {
            out.append(UInt64(UInt32(bitPattern: byteIds[Int(bytes[0])])) << 32 | 1)
            return
        }
        if options.ignoreMerges, let id = byteLevelSpellingId(bytes) {
            out.append(UInt64(UInt32(bitPattern: id)) << 32 | UInt64(bytes.count))
            return
        }
        let key = WordCache.Key(bytes)
        if let key, let cached = cache.lookup(key) {
            out.append(contentsOf: cached)
            return
        }
        let start = out.count
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: bytes.count) { ids in
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: bytes.count) { lengths in
                if byteIdsComplete {
                    byteIds.withUnsafeBufferPointer { table in
                        for (i, b) in bytes.enumerated() {
                            ids[i] = table[Int(b)]
                            lengths[i] = 1
                        }
                    }
                    mergeAndAppend(ids, lengths, bytes.count, into: &out)
                } else {
                    var symbols = SymbolBuilder(ids: ids, lengths: lengths, unknownId: unknownId, fuse: options.fuseUnknown)
                    for b in bytes { symbols.unit(byteIds[Int(b)], length: 1, fallback: nil, fallbackIds: nil) }
                    symbols.finish()
                    mergeAndAppend(ids, lengths, symbols.count, into: &out)
                }
            }
        }
        if let key { cache.store(key, Array(out[start...])) }
    }

    /// Appends the tokens of one character-level word: `scalars` and their UTF-8 `bytes`.
    func encode(characters scalars: UnsafeBufferPointer<UInt32>, bytes: UnsafeBufferPointer<UInt8>,
                cache: WordCache, into out: inout [UInt64]) {
        if options.ignoreMerges, let id = vocabulary.id(ofUTF8: bytes) {
            out.append(UInt64(UInt32(bitPattern: id)) << 32 | UInt64(bytes.count))
            return
        }
        let key = WordCache.Key(bytes)
        if let key, let cached = cache.lookup(key) {
            out.append(contentsOf: cached)
            return
        }
        let start = out.count
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: bytes.count) { ids in
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: bytes.count) { lengths in
                fallbackIds.withUnsafeBufferPointer { fallbackIds in
                    var symbols = SymbolBuilder(ids: ids, lengths: lengths, unknownId: unknownId, fuse: options.fuseUnknown)
                    var at = 0
                    for (k, scalar) in scalars.enumerated() {
                        let length = Self.utf8Length(scalar)
                        let id = scalarId(scalar, first: k == 0, last: k == scalars.count - 1)
                        symbols.unit(id, length: Int32(length), fallback: UnsafeBufferPointer(rebasing: bytes[at..<(at + length)]),
                                     fallbackIds: fallbackIds.isEmpty ? nil : fallbackIds)
                        at += length
                    }
                    symbols.finish()
                    mergeAndAppend(ids, lengths, symbols.count, into: &out)
                }
            }
        }
        if let key { cache.store(key, Array(out[start...])) }
    }

    @inline(__always)
    static func utf8Length(_ v: UInt32) -> Int { v < 0x80 ? 1 : v < 0x800 ? 2 : v < 0x10000 ? 3 : 4 }

    /// With `ignore_merges`, a byte-level word that is itself a token: its spelling in the alphabet.
    private func byteLevelSpellingId(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * bytes.count) { spelling in
            var n = 0
            for b in bytes {
                let v = ByteLevelAlphabet.scalarForByte[Int(b)]
                if v < 0x80 {
                    spelling[n] = UInt8(v); n += 1
                } else {
                    spelling[n] = UInt8(0xC0 | (v >> 6)); spelling[n + 1] = UInt8(0x80 | (v & 0x3F)); n += 2
                }
            }
            return vocabulary.id(ofUTF8: UnsafeBufferPointer(rebasing: spelling[0..<n]))
        }
    }

    private func mergeAndAppend(_ ids: UnsafeMutableBufferPointer<Int32>, _ lengths: UnsafeMutableBufferPointer<Int32>,
                                _ n: Int, into out: inout [UInt64]) {
        let count = n <= 64 ? mergeByScanning(ids, lengths, n) : LongWordMerger(merges: merges).merge(ids, lengths, n)
        for i in 0..<count {
            out.append(UInt64(UInt32(bitPattern: ids[i])) << 32 | UInt64(UInt32(bitPattern: lengths[i])))
        }
    }

    /// Quadratic but allocation-free: fastest for the short words that dominate text.
    /// Returns the number of symbols left in the first `count` slots.
    private func mergeByScanning(_ ids: UnsafeMutableBufferPointer<Int32>,
                                 _ lengths: UnsafeMutableBufferPointer<Int32>, _ n: Int) -> Int {
        var count = n
        while count > 1 {
            var bestRank = Int32.max
            var bestPos = -1
            var bestId: Int32 = 0
            for p in 0..<(count - 1) {
                if let m = merges.lookup(ids[p], ids[p + 1]), m.rank < bestRank {
                    bestRank = m.rank
                    bestPos = p
                    bestId = m.merged
                }
            }
            if bestPos < 0 { break }
            ids[bestPos] = bestId
            lengths[bestPos] += lengths[bestPos + 1]
            for q in (bestPos + 1)..<(count - 1) {
                ids[q] = ids[q + 1]
                lengths[q] = lengths[q + 1]
            }
            count -= 1
        }
        return count
    }
}

/// Builds a word's initial symbols with the reference's `merge_word` rules for units without a
/// token: byte fallback, else the unknown token (held back so that `fuse_unk` can extend it and
/// added before the next known unit), else nothing.
private struct SymbolBuilder {
    let ids: UnsafeMutableBufferPointer<Int32>
    let lengths: UnsafeMutableBufferPointer<Int32>
    let unknownId: Int32?
    let fuse: Bool
    private(set) var count = 0
    private var pendingUnknown: (id: Int32, length: Int32)?

    init(ids: UnsafeMutableBufferPointer<Int32>, lengths: UnsafeMutableBufferPointer<Int32>, unknownId: Int32?, fuse: Bool) {
        self.ids = ids
        self.lengths = lengths
        self.unknownId = unknownId
        self.fuse = fuse
    }

    @inline(__always)
    mutating func append(_ id: Int32, _ length: Int32) {
        ids[count] = id
        lengths[count] = length
        count += 1
    }

    /// One unit with its id (-1 if none); `fallback` is its UTF-8, spelled with the `<0xXX>` tokens
    /// of `fallbackIds` under `byte_fallback`.
    @inline(__always)
    mutating func unit(_ id: Int32, length: Int32, fallback: UnsafeBufferPointer<UInt8>?, fallbackIds: UnsafeBufferPointer<Int32>?) {
        if id >= 0 {
            if let pending = pendingUnknown {
                append(pending.id, pending.length)
                pendingUnknown = nil
            }
            append(id, length)
            return
        }
        if let fallback, let fallbackIds, fallback.allSatisfy({ fallbackIds[Int($0)] >= 0 }) {
            // As in the reference, a held-back unknown token is not added first.
            for b in fallback { append(fallbackIds[Int(b)], 1) }
            return
        }
        guard let unknown = unknownId else { return }
        if let pending = pendingUnknown {
            if fuse {
                pendingUnknown = (pending.id, pending.length + length)
                return
            }
            append(pending.id, pending.length)
        }
        pendingUnknown = (unknown, length)
    }

    mutating func finish() {
        if let pending = pendingUnknown { append(pending.id, pending.length) }
        pendingUnknown = nil
    }
}
