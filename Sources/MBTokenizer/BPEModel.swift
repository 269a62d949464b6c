import Foundation

/// Byte-level BPE: a vocabulary of byte strings and a ranked list of merges.
///
/// Everything runs on integer ids. Each byte of a word starts as its own token; the
/// adjacent pair whose merge has the lowest rank is merged (leftmost first on ties) until no
/// pair merges. That is the order Hugging Face's priority queue produces.
struct BPEModel: Sendable {
    /// How far the largest vocabulary id may exceed the number of entries (real files are dense).
    static let maxIdGap = 1 << 20

    /// Token strings as written in the vocabulary (byte-level alphabet).
    let tokens: [String?]
    let idForToken: [String: Int32]
    /// Id of each single-byte token, or -1 when the vocabulary lacks that byte.
    let byteIds: [Int32]
    let merges: MergeTable
    /// Id used for bytes missing from the vocabulary, when the file names one.
    let unknownId: Int32?

    init(json: JSONFields) throws {
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
        guard let vocab = json.optional("vocab") as? [String: Any] else {
            throw TokenizerError.missingField(file: file, path: json.childPath("vocab"))
        }
        var idForToken: [String: Int32] = [:]
        idForToken.reserveCapacity(vocab.count)
        var maxId: Int32 = -1
        for (token, value) in vocab {
            let raw = (value as? Int) ?? (value as? NSNumber)?.intValue
            guard let raw, let id = Int32(exactly: raw), id >= 0 else {
                throw TokenizerError.invalidValue(file: file, path: json.childPath("vocab.\(token)"), reason: "not a token id")
            }
            idForToken[token] = id
            maxId = max(maxId, id)
        }
        // The id-to-token table is dense, so a damaged or hostile id (2^31 - 1) must not size it.
        guard Int(maxId) < idForToken.count + Self.maxIdGap else {
            let token = idForToken.first { $0.value == maxId }?.key ?? "?"
            throw TokenizerError.invalidValue(file: file, path: json.childPath("vocab.\(token)"),
                                              reason: "id \(maxId) is far beyond the vocabulary's \(idForToken.count) entries")
        }
        var tokens = [String?](repeating: nil, count: Int(maxId) + 1)
        for (token, id) in idForToken { tokens[Int(id)] = token }
        var byteIds = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            let symbol = String(Character(Unicode.Scalar(ByteLevelAlphabet.scalarForByte[b])!))
            byteIds[b] = idForToken[symbol] ?? -1
        }
        let rawMerges = try json.array("merges")
        var table = MergeTable(capacity: rawMerges.count)
        for (rank, entry) in rawMerges.enumerated() {
            let pair: (String, String)
            if let text = entry as? String {
                // Older files: "left right", split on the first space.
                let parts = text.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2 else {
                    throw TokenizerError.invalidValue(file: file, path: json.childPath("merges[\(rank)]"), reason: "expected \"left right\"")
                }
                pair = (String(parts[0]), String(parts[1]))
            } else if let parts = entry as? [Any], parts.count == 2, let l = parts[0] as? String, let r = parts[1] as? String {
                pair = (l, r)
            } else {
                throw TokenizerError.invalidValue(file: file, path: json.childPath("merges[\(rank)]"), reason: "expected a pair of strings")
            }
            guard let left = idForToken[pair.0], let right = idForToken[pair.1],
                  let merged = idForToken[pair.0 + pair.1] else {
                throw TokenizerError.invalidValue(file: file, path: json.childPath("merges[\(rank)]"),
                                                  reason: "merge '\(pair.0) \(pair.1)' uses a token missing from the vocabulary")
            }
            table.insert(left: left, right: right, rank: Int32(rank), merged: merged)
        }
        var unknownId: Int32?
        if let unk = json.optionalString("unk_token") {
            unknownId = idForToken[unk]
        }
        self.tokens = tokens
        self.idForToken = idForToken
        self.byteIds = byteIds
        self.merges = table
        self.unknownId = unknownId
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
