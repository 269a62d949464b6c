import Foundation

extension BPEModel.Options {
    /// Reads the options of the `model` object and rejects those this implementation does not
    /// honour, naming them. Both load paths call it (the compiled form keeps that object, minus the
    /// vocabulary and merges).
    init(json: JSONFields) throws {
        let file = json.file
        guard json.optionalString("type") ?? "BPE" == "BPE" else {
            throw TokenizerError.unsupportedComponent(file: file, component: "model", type: json.optionalString("type") ?? "?")
        }
        if let dropout = json.optional("dropout") as? NSNumber, dropout.doubleValue > 0 {
            throw TokenizerError.unsupportedComponent(file: file, component: "model option", type: "BPE dropout \(dropout)")
        }
        if let value = json.optional("unk_token") {
            guard let token = value as? String else {
                throw TokenizerError.invalidValue(file: file, path: json.childPath("unk_token"), reason: "expected a string")
            }
            unknownToken = token
        }
        fuseUnknown = try json.bool("fuse_unk", default: false)
        byteFallback = try json.bool("byte_fallback", default: false)
        ignoreMerges = try json.bool("ignore_merges", default: false)
        prefix = Array((json.optionalString("continuing_subword_prefix") ?? "").utf8)
        suffix = Array((json.optionalString("end_of_word_suffix") ?? "").utf8)
        if byteFallback, !prefix.isEmpty || !suffix.isEmpty {
            // The reference spells the decorated unit with <0xXX> tokens, whose byte lengths then
            // overrun the word's: offsets nobody can rely on.
            throw TokenizerError.unsupportedComponent(file: file, component: "model option",
                                                      type: "BPE byte_fallback with continuing_subword_prefix or end_of_word_suffix")
        }
    }
}

extension BPEModel {
    /// How far the largest vocabulary id may exceed the number of entries (real files are dense).
    static let maxIdGap = 1 << 20

    /// Reads the `model` object of `tokenizer.json`: the vocabulary (token -> id) and the merges
    /// (`"left right"` strings or `["left", "right"]` pairs, in rank order).
    init(json: JSONFields, characterLevel: Bool) throws {
        let file = json.file
        let options = try Options(json: json)
        // With canonically equivalent tokens (JSONEquivalentKeysObject) the dictionary keeps one of
        // each class, so lookups go through the byte-exact sorted index; otherwise it holds every token.
        let vocabValue = json.optional("vocab")
        let members = (vocabValue as? JSONEquivalentKeysObject)?.members
        guard let dictionary = vocabValue as? [String: Any] ?? (members != nil ? [:] : nil) else {
            throw TokenizerError.missingField(file: file, path: json.childPath("vocab"))
        }
        let equivalentKeys = members != nil
        var idForToken: [String: Int32] = [:]
        idForToken.reserveCapacity(dictionary.count)
        var tokenForId: [Int32: String] = [:]
        var maxId: Int32 = -1
        func record(_ token: String, _ value: Any) throws {
            let raw = (value as? Int) ?? (value as? NSNumber)?.intValue
            guard let raw, let id = Int32(exactly: raw), id >= 0 else {
                throw TokenizerError.invalidValue(file: file, path: json.childPath("vocab.\(token)"), reason: "not a token id")
            }
            idForToken[token] = id
            if equivalentKeys { tokenForId[id] = token }
            maxId = max(maxId, id)
        }
        if let members {
            for (token, value) in members { try record(token, value) }
        } else {
            for (token, value) in dictionary { try record(token, value) }
        }
        let entries = equivalentKeys ? tokenForId.count : idForToken.count
        // The id-to-token table is dense, so a damaged or hostile id (2^31 - 1) must not size it.
        guard Int(maxId) < entries + Self.maxIdGap else {
            let token = idForToken.first { $0.value == maxId }?.key ?? "?"
            throw TokenizerError.invalidValue(file: file, path: json.childPath("vocab.\(token)"),
                                              reason: "id \(maxId) is far beyond the vocabulary's \(entries) entries")
        }
        var tokens = [String?](repeating: nil, count: Int(maxId) + 1)
        if equivalentKeys {
            for (id, token) in tokenForId { tokens[Int(id)] = token }
        } else {
            for (token, id) in idForToken { tokens[Int(id)] = token }
        }
        var vocabulary = Vocabulary(tokens: tokens, ids: idForToken)
        if equivalentKeys {
            vocabulary = Vocabulary(bytes: vocabulary.bytes, offsets: vocabulary.offsets, index: .sorted(vocabulary.sortedIds()))
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
            // The merged token is left + right without the continuing-subword prefix's bytes.
            let merged: String?
            if options.prefix.isEmpty {
                merged = pair.0 + pair.1
            } else {
                let right = Array(pair.1.utf8)
                merged = right.count >= options.prefix.count
                    ? String(validating: Array(pair.0.utf8) + right[options.prefix.count...], as: UTF8.self) : nil
            }
            func id(_ token: String) -> Int32? { equivalentKeys ? vocabulary.id(of: token) : idForToken[token] }
            guard let left = id(pair.0), let rightId = id(pair.1), let merged, let mergedId = id(merged) else {
                throw TokenizerError.invalidValue(file: file, path: json.childPath("merges[\(rank)]"),
                                                  reason: "merge '\(pair.0) \(pair.1)' uses a token missing from the vocabulary")
            }
            rankedMerges.append(left); rankedMerges.append(rightId); rankedMerges.append(mergedId)
        }
        self.init(vocabulary: vocabulary, rankedMerges: rankedMerges,
                  options: options, characterLevel: characterLevel)
    }
}
