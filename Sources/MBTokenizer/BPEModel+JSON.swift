import Foundation

extension BPEModel {
    /// How far the largest vocabulary id may exceed the number of entries (real files are dense).
    static let maxIdGap = 1 << 20

    /// Reads the `model` object of `tokenizer.json`: the vocabulary (token -> id) and the merges
    /// (`"left right"` strings or `["left", "right"]` pairs, in rank order).
    init(json: JSONFields) throws {
        let file = json.file
        try Self.checkOptions(json)
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
        var rankedMerges: [Int32] = []
        rankedMerges.reserveCapacity(3 * rawMerges.count)
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
            rankedMerges.append(left); rankedMerges.append(right); rankedMerges.append(merged)
        }
        let unknownId = json.optionalString("unk_token").flatMap { idForToken[$0] }
        self.init(vocabulary: Vocabulary(tokens: tokens, ids: idForToken), byteIds: byteIds,
                  rankedMerges: rankedMerges, unknownId: unknownId)
    }
}
