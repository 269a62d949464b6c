import Foundation

/// The compiled form of a `tokenizer.json`: the BPE vocabulary and merges as little-endian id
/// arrays, plus the file's JSON with `model.vocab` and `model.merges` emptied (24 KB for ModernBERT).
///
/// Why: parsing the 3.5 MB JSON, hashing 50k token strings and growing dictionaries took
/// ~100 ms, most of a short `fill-mask` run. Loading this form copies a few arrays, checks them
/// in linear time and parses the small JSON: a few milliseconds. Model files store it as the
/// `TKBP` section next to the original JSON (`Formats/model-file.md` specifies the layout):
///
/// ```
/// u32 version (2), token_count N, indexed_count S, merge_count M, bytes_length B, json_length J,
///     unknown_id (0xFFFFFFFF = none), merge_prefix_length P
/// u32 byte_ids[256]          id of each byte's symbol in GPT-2's alphabet, 0xFFFFFFFF = none
/// u32 fallback_ids[256]      id of each byte's <0xXX> token, 0xFFFFFFFF = none
/// u32 token_offsets[N + 1]   token i is token_bytes[offsets[i]..<offsets[i + 1]]; empty = no token
/// u32 sorted_ids[S]          the ids that have a token, in bytewise order of their tokens
/// u32 merges[M][3]           (left, right, merged), in rank order
/// u8  token_bytes[B]         UTF-8
/// u8  json[J]                tokenizer.json with model.vocab = {} and model.merges = []
/// ```
///
/// Version 1 (written before character-level BPE was supported) lacks `fallback_ids` and has a
/// reserved 0 where `merge_prefix_length` is; this build still reads it.
enum CompiledTokenizer {
    static let version: UInt32 = 2
    /// Eight u32 fields, then the byte tables of each layout version.
    static func headerSize(version: UInt32) -> Int { version == 1 ? 32 + 4 * 256 : 32 + 8 * 256 }
    /// `unknown_id` and id-table entries that name no token.
    static let none = UInt32.max

    /// Lays out a loaded tokenizer's model; `json` is the file it was loaded from.
    static func encode(_ model: BPEModel, json: [UInt8], source: String) throws -> [UInt8] {
        let vocabulary = model.vocabulary
        // An empty range means "no token", so the empty string cannot be a token here; such a
        // file is simply not compiled (it still loads from its JSON).
        if case let .dictionary(ids) = vocabulary.index, ids[""] != nil {
            throw TokenizerError.invalidValue(file: source, path: "model.vocab", reason: "the empty token cannot be compiled")
        }
        let rest = try jsonWithoutVocabulary(json, source: source)
        let sorted = vocabulary.sortedIds()
        guard vocabulary.bytes.count < Int(UInt32.max), rest.count < Int(UInt32.max) else {
            throw TokenizerError.invalidValue(file: source, path: "model.vocab", reason: "too large to compile")
        }
        var out: [UInt8] = []
        out.reserveCapacity(headerSize(version: version) + 4 * (vocabulary.offsets.count + sorted.count + model.rankedMerges.count)
                            + vocabulary.bytes.count + rest.count)
        func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
        func id(_ value: Int32?) { u32(value.map { UInt32(bitPattern: $0) } ?? none) }
        for field in [version, UInt32(vocabulary.count), UInt32(sorted.count), UInt32(model.rankedMerges.count / 3),
                      UInt32(vocabulary.bytes.count), UInt32(rest.count)] {
            u32(field)
        }
        id(model.unknownId)
        u32(UInt32(model.options.prefix.count))
        for byteId in model.byteIds { id(byteId >= 0 ? byteId : nil) }
        for fallbackId in BPEModel.fallbackIds(vocabulary) { id(fallbackId >= 0 ? fallbackId : nil) }
        for offset in vocabulary.offsets { u32(offset) }
        for sortedId in sorted { id(sortedId) }
        for mergeId in model.rankedMerges { id(mergeId) }
        out.append(contentsOf: vocabulary.bytes)
        out.append(contentsOf: rest)
        return out
    }

    /// The file's bytes with the values of `model.vocab` and `model.merges` replaced by `{}` and
    /// `[]`: everything else stays byte for byte, so it parses to what the original did.
    static func jsonWithoutVocabulary(_ json: [UInt8], source: String) throws -> [UInt8] {
        let ranges: [Range<Int>]
        do {
            ranges = try JSONReader.valueRanges(of: ["vocab", "merges"], inObject: "model", of: Data(json))
        } catch {
            throw TokenizerError.invalidJSON(file: source, reason: "\(error)")
        }
        var rest: [UInt8] = []
        var cursor = 0
        for range in ranges {
            rest.append(contentsOf: json[cursor..<range.lowerBound])
            rest.append(contentsOf: json[range.lowerBound] == UInt8(ascii: "{") ? Array("{}".utf8) : Array("[]".utf8))
            cursor = range.upperBound
        }
        rest.append(contentsOf: json[cursor...])
        return rest
    }
}

extension Tokenizer {
    /// Compiles `tokenizer.json` content into the form ``init(compiled:source:specialTokenNames:)``
    /// loads in a few milliseconds. Throws what ``init(jsonData:source:specialTokenNames:)`` throws
    /// for the same content: only a file this build can load is compiled.
    public static func compile(jsonData: Data, source: String = "tokenizer.json") throws -> [UInt8] {
        let tokenizer = try Tokenizer(jsonData: jsonData, source: source)
        return try CompiledTokenizer.encode(tokenizer.encoder.model, json: [UInt8](jsonData), source: source)
    }
}
