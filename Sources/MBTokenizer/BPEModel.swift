import Foundation

/// Byte-level BPE: a vocabulary of byte strings and a ranked list of merges.
///
/// Everything runs on integer ids. Each byte of a word starts as its own token; the
/// adjacent pair whose merge has the lowest rank is merged (leftmost first on ties) until no
/// pair merges. That is the order Hugging Face's priority queue produces.
struct BPEModel: Sendable {
    /// Token strings by id (byte-level alphabet), for decoding and string lookups.
    let vocabulary: Vocabulary
    /// Id of each single-byte token, or -1 when the vocabulary lacks that byte.
    let byteIds: [Int32]
    /// The merges as (left, right, merged) id triples in rank order: what the file lists and
    /// the compiled form stores; `merges` is built from it.
    let rankedMerges: [Int32]
    let merges: MergeTable
    /// Id used for bytes missing from the vocabulary, when the file names one.
    let unknownId: Int32?

    /// The caller guarantees every id is in the vocabulary (the JSON reader and the compiled
    /// reader both check it).
    init(vocabulary: Vocabulary, byteIds: [Int32], rankedMerges: [Int32], unknownId: Int32?) {
        var table = MergeTable(capacity: rankedMerges.count / 3)
        rankedMerges.withUnsafeBufferPointer { m in
            for rank in 0..<(m.count / 3) {
                table.insert(left: m[3 * rank], right: m[3 * rank + 1], rank: Int32(rank), merged: m[3 * rank + 2])
            }
        }
        self.vocabulary = vocabulary
        self.byteIds = byteIds
        self.rankedMerges = rankedMerges
        self.merges = table
        self.unknownId = unknownId
    }

    /// Rejects `model` options this implementation does not honour. Called on the `model` object
    /// of tokenizer.json by either load path (the compiled form keeps that object, minus the
    /// vocabulary and merges).
    static func checkOptions(_ json: JSONFields) throws {
        let file = json.file
        guard json.optionalString("type") ?? "BPE" == "BPE" else {
            throw TokenizerError.unsupportedComponent(file: file, component: "model", type: json.optionalString("type") ?? "?")
        }
        if let dropout = json.optional("dropout") as? NSNumber, dropout.doubleValue > 0 {
            throw TokenizerError.unsupportedComponent(file: file, component: "model option", type: "BPE dropout")
        }
        for option in ["continuing_subword_prefix", "end_of_word_suffix"] where json.optionalString(option).map({ !$0.isEmpty }) ?? false {
            throw TokenizerError.unsupportedComponent(file: file, component: "model option", type: "BPE \(option)")
        }
        for flag in ["byte_fallback", "ignore_merges"] where try json.bool(flag, default: false) {
            throw TokenizerError.unsupportedComponent(file: file, component: "model option", type: "BPE \(flag)")
        }
    }

    /// Appends the tokens of one word as `id << 32 | byteLength`.
    @inline(__always)
    func encode(word bytes: UnsafeBufferPointer<UInt8>, cache: WordCache, into out: inout [UInt64]) {
        if bytes.count == 1 {
            let id = byteIds[Int(bytes[0])]
            if id >= 0 { out.append(UInt64(UInt32(bitPattern: id)) << 32 | 1) } else { appendUnknown(1, &out) }
            return
        }
        let key = WordCache.Key(bytes)
        if let key, let cached = cache.lookup(key) {
            out.append(contentsOf: cached)
            return
        }
        let start = out.count
        merge(bytes, into: &out)
        if let key { cache.store(key, Array(out[start...])) }
    }

    private func appendUnknown(_ length: Int, _ out: inout [UInt64]) {
        // Without an unknown token Hugging Face fails; we skip the byte, which cannot happen
        // with a byte-level vocabulary that covers all 256 bytes.
        if let unknownId { out.append(UInt64(UInt32(bitPattern: unknownId)) << 32 | UInt64(length)) }
    }

    private func merge(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt64]) {
        let n = bytes.count
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: n) { ids in
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: n) { lengths in
                for i in 0..<n {
                    ids[i] = byteIds[Int(bytes[i])]
                    lengths[i] = 1
                }
                let count = n <= 64
                    ? mergeByScanning(ids, lengths, n)
                    : LongWordMerger(merges: merges).merge(ids, lengths, n)
                for i in 0..<count {
                    if ids[i] >= 0 {
                        out.append(UInt64(UInt32(bitPattern: ids[i])) << 32 | UInt64(lengths[i]))
                    } else {
                        appendUnknown(Int(lengths[i]), &out)
                    }
                }
            }
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
