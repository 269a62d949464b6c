import Foundation

/// The compiled form of a `tokenizer.json`: the BPE vocabulary and merges as little-endian id
/// arrays, plus the file's JSON with `model.vocab` and `model.merges` emptied (24 KB for ModernBERT).
///
/// Why: parsing the 3.5 MB JSON, hashing 50k token strings and growing dictionaries took
/// ~100 ms, most of a short `fill-mask` run. Loading this form copies a few arrays, checks them
/// in linear time and parses the small JSON: a few milliseconds. Model files store it as the
/// `TKBP` section next to the original JSON (`Formats/model-file.md` specifies the layout).
/// Layout version 2 (aligned u32 arrays, usable in place in a mapping):
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
/// Layout version 3 (for zstd: half the stored size) has the same header and id tables, then
/// what version 2 stores as u32 arrays in byte planes (`CompiledTokenizer+Planes.swift`), without
/// what a reader can derive (offsets from lengths, the sorted index by sorting):
///
/// ```
/// planes token_lengths[N]    token i's byte length; 0 = no token
/// planes lefts[M], rights[M] each merge's parts, in rank order
/// planes merged_deltas[M]    each merge's merged id minus the previous merge's (the first minus 0), mod 2^32
/// u8  token_bytes[B], json[J] as in version 2
/// ```
///
/// Version 1 (written before character-level BPE was supported) lacks `fallback_ids` and has a
/// reserved 0 where `merge_prefix_length` is; this build still reads it.
enum CompiledTokenizer {
    /// The layout versions this build reads.
    static let versions: ClosedRange<UInt32> = 1...3
    /// Eight u32 fields, then the byte tables of each layout version.
    static func headerSize(version: UInt32) -> Int { version == 1 ? 32 + 4 * 256 : 32 + 8 * 256 }
    /// `unknown_id` and id-table entries that name no token.
    static let none = UInt32.max

    /// Lays out a loaded tokenizer's model in `layout`; `json` is the file it was loaded from.
    static func encode(_ model: BPEModel, json: [UInt8], source: String, layout: Tokenizer.CompiledLayout) throws -> [UInt8] {
        let vocabulary = model.vocabulary
        // An empty range means "no token", so the empty string cannot be a token here; such a
        // file is simply not compiled (it still loads from its JSON).
        if case let .dictionary(ids) = vocabulary.index, ids[""] != nil {
            throw TokenizerError.invalidValue(file: source, path: "model.vocab", reason: "the empty token cannot be compiled")
        }
        let rest = try jsonWithoutVocabulary(json, source: source)
        guard vocabulary.bytes.count < Int(UInt32.max), rest.count < Int(UInt32.max) else {
            throw TokenizerError.invalidValue(file: source, path: "model.vocab", reason: "too large to compile")
        }
        // Version 3 stores no sorted index (readers sort), only its length.
        let sorted = layout == .aligned ? vocabulary.sortedIds() : []
        let indexed = layout == .aligned ? sorted.count : (0..<vocabulary.count).filter { !vocabulary.range($0).isEmpty }.count
        let version = layout.rawValue
        let merges = model.rankedMerges.map { UInt32(bitPattern: $0) }
        var out: [UInt8] = []
        out.reserveCapacity(headerSize(version: version) + 4 * (vocabulary.offsets.count + sorted.count + merges.count)
                            + vocabulary.bytes.count + rest.count)
        func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
        func id(_ value: Int32?) { u32(value.map { UInt32(bitPattern: $0) } ?? none) }
        for field in [version, UInt32(vocabulary.count), UInt32(indexed), UInt32(merges.count / 3),
                      UInt32(vocabulary.bytes.count), UInt32(rest.count)] {
            u32(field)
        }
        id(model.unknownId)
        u32(UInt32(model.options.prefix.count))
        for byteId in model.byteIds { id(byteId >= 0 ? byteId : nil) }
        for fallbackId in BPEModel.fallbackIds(vocabulary) { id(fallbackId >= 0 ? fallbackId : nil) }
        switch layout {
        case .aligned:
            for offset in vocabulary.offsets { u32(offset) }
            for sortedId in sorted { id(sortedId) }
            for mergeId in merges { u32(mergeId) }
        case .compact:
            appendPlanes(zip(vocabulary.offsets, vocabulary.offsets.dropFirst()).map { $1 - $0 }, to: &out)
            for part in 0..<3 {
                let column = stride(from: part, to: merges.count, by: 3).map { merges[$0] }
                appendPlanes(part == 2 ? deltas(column) : column, to: &out)
            }
        }
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
    /// How ``compile(jsonData:source:layout:)`` lays the compiled form out (`Formats/model-file.md`,
    /// section TKBP); the raw value is the layout version. Both give the same tokenizer.
    public enum CompiledLayout: UInt32, Sendable {
        /// Version 2: u32 arrays at multiples of 4, usable in place when stored raw in a mapped file.
        case aligned = 2
        /// Version 3: byte planes and no derivable arrays, for storing compressed (about half the
        /// zstd size of version 2); readers rebuild the offsets and the sorted index at load.
        case compact = 3
    }

    /// Compiles `tokenizer.json` content into the form ``init(compiled:source:specialTokenNames:)``
    /// loads in a few milliseconds. Throws what ``init(jsonData:source:specialTokenNames:)`` throws
    /// for the same content: only a file this build can load is compiled.
    /// - Parameters:
    ///   - jsonData: the content of a `tokenizer.json`.
    ///   - source: the file's name in error messages.
    ///   - layout: `.compact` (version 3, what model files store zstd) unless the bytes are to be
    ///     stored raw and used in place (`.aligned`, version 2).
    /// - Returns: the compiled section's bytes.
    public static func compile(jsonData: Data, source: String = "tokenizer.json",
                               layout: CompiledLayout = .compact) throws -> [UInt8] {
        let tokenizer = try Tokenizer(jsonData: jsonData, source: source)
        return try CompiledTokenizer.encode(tokenizer.encoder.model, json: [UInt8](jsonData), source: source, layout: layout)
    }
}
