import Foundation

/// Reads the compiled form (layout in `CompiledTokenizer`) and checks every rule of it, so that a
/// damaged or hostile section becomes a `TokenizerError.invalidCompiled` naming the file and the
/// problem, never a trap or a tokenizer that differs from its JSON.
///
/// Every check is linear in the section's size (about 1.4 MB for ModernBERT): counts against the
/// length, offsets, UTF-8, the sorted index, byte and fallback ids, and that each merge's token is
/// its two parts joined, exactly what the JSON reader derives from the strings. Version 3 stores
/// lengths instead of offsets and no sorted index: the reader rebuilds both (sorting the tokens,
/// the only step that is not linear) and checks them the same way.
struct CompiledTokenizerReader {
    private let bytes: UnsafeRawBufferPointer
    private let source: String

    /// What the arrays hold, checked; the model is built once the JSON part gives its options.
    struct Parts {
        var vocabulary: Vocabulary
        var rankedMerges: [Int32]
        var unknownId: Int32?
        /// Bytes the merges drop from the front of their right token (the continuing-subword prefix).
        var mergePrefixLength: Int
        /// The `tokenizer.json` text that carries the other components.
        var json: Data
    }

    static func read(_ bytes: UnsafeRawBufferPointer, source: String) throws -> Parts {
        try CompiledTokenizerReader(bytes: bytes, source: source).read()
    }

    static func version(of bytes: UnsafeRawBufferPointer) -> UInt32? {
        bytes.count >= 4 ? UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self)) : nil
    }

    private func fail(_ reason: String) -> TokenizerError { .invalidCompiled(file: source, reason: reason) }

    private func u32(at offset: Int) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// `count` little-endian integers starting at `offset`, copied out of the (possibly unaligned) mapping.
    private func array<T: FixedWidthInteger>(_ type: T.Type, at offset: Int, count: Int) -> [T] {
        let length = MemoryLayout<T>.size * count
        var values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)]))
            initialized = count
        }
        #if _endian(big)
        for i in values.indices { values[i] = T(littleEndian: values[i]) }
        #endif
        return values
    }

    /// The arrays of a section, as version 2 stores them; version 3 leaves `sorted` to be computed.
    private struct Arrays {
        var offsets: [UInt32]
        var sorted: [Int32]?
        var merges: [Int32]
        var tokenBytes: Range<Int>
    }

    private func read() throws -> Parts {
        guard bytes.count >= 4 else { throw fail("\(bytes.count) bytes, shorter than the version field") }
        let version = u32(at: 0)
        guard CompiledTokenizer.versions.contains(version) else {
            throw fail("layout version \(version) is not supported by this build (reads "
                       + "\(CompiledTokenizer.versions.map(String.init).joined(separator: ", ")))")
        }
        let header = CompiledTokenizer.headerSize(version: version)
        guard bytes.count >= header else { throw fail("\(bytes.count) bytes, shorter than the \(header)-byte header") }
        let n = Int(u32(at: 4)), indexed = Int(u32(at: 8)), mergeCount = Int(u32(at: 12))
        let byteLength = Int(u32(at: 16)), jsonLength = Int(u32(at: 20))
        let unknown = u32(at: 24)
        let prefixLength = Int(u32(at: 28))
        if version == 1, prefixLength != 0 { throw fail("the reserved header field is \(prefixLength), not 0") }
        guard n <= Int(Int32.max) else { throw fail("token count \(n) exceeds 2^31 - 1") }
        // Counts first: after this every array below lies inside the section (no arithmetic can overflow:
        // each count is below 2^32 and the sum fits in Int).
        let arraysLength = version == 3 ? 4 * n + 12 * mergeCount : 4 * (n + 1) + 4 * indexed + 12 * mergeCount
        let bytesAt = header + arraysLength, jsonAt = bytesAt + byteLength, end = jsonAt + jsonLength
        guard end == bytes.count else {
            throw fail("the section is \(bytes.count) bytes but its counts (\(n) tokens, \(indexed) indexed, "
                       + "\(mergeCount) merges, \(byteLength) token bytes, \(jsonLength) JSON bytes) describe \(end)")
        }
        let arrays = version == 3
            ? try planedArrays(at: header, tokenCount: n, mergeCount: mergeCount, tokenBytes: bytesAt..<jsonAt)
            : Arrays(offsets: array(UInt32.self, at: header, count: n + 1),
                     sorted: array(Int32.self, at: header + 4 * (n + 1), count: indexed),
                     merges: array(Int32.self, at: header + 4 * (n + 1) + 4 * indexed, count: 3 * mergeCount),
                     tokenBytes: bytesAt..<jsonAt)

        let offsets = arrays.offsets, merges = arrays.merges
        let tokenBytes = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[arrays.tokenBytes]))
        let byteIds = array(Int32.self, at: 32, count: 256)
        let fallbackIds = version == 1 ? nil : array(Int32.self, at: 32 + 4 * 256, count: 256)
        let unknownId = unknown == CompiledTokenizer.none ? nil : Int32(truncatingIfNeeded: unknown)
        let present = try offsets.withUnsafeBufferPointer { offsets in
            try tokenBytes.withUnsafeBufferPointer { try checkOffsets(Tokens(offsets: offsets, bytes: $0)) }
        }
        guard indexed == present else {
            throw fail(version == 3 ? "indexed_count is \(indexed) but \(present) ids have a token"
                                    : "sorted_ids lists \(indexed) ids but \(present) ids have a token")
        }
        // Version 3 stores no index: sort here (the offsets are checked), then check it like a stored one.
        let sorted = arrays.sorted ?? Vocabulary.sortedIds(bytes: tokenBytes, offsets: offsets)
        let vocabulary = Vocabulary(bytes: tokenBytes, offsets: offsets, index: .sorted(sorted))
        try offsets.withUnsafeBufferPointer { offsets in
            try tokenBytes.withUnsafeBufferPointer { tokenBytes in
                let tokens = Tokens(offsets: offsets, bytes: tokenBytes)
                try sorted.withUnsafeBufferPointer {
                    try arrays.sorted == nil ? checkDistinct($0, tokens) : checkSortedIds($0, tokens)
                }
                try merges.withUnsafeBufferPointer { try checkMerges($0, tokens, prefixLength: prefixLength) }
                if let unknownId, !tokens.has(unknownId) { throw fail("unknown_id \(unknown) is not an id with a token") }
            }
        }
        // Needs the sorted index checked: looks the byte symbols up in it.
        try checkIds(byteIds, BPEModel.byteLevelIds(vocabulary), table: "byte_ids") {
            String(Character(Unicode.Scalar(ByteLevelAlphabet.scalarForByte[$0])!))
        }
        if let fallbackIds {
            try checkIds(fallbackIds, BPEModel.fallbackIds(vocabulary), table: "fallback_ids") { BPEModel.fallbackToken(UInt8($0)) }
        }
        return Parts(vocabulary: vocabulary, rankedMerges: merges, unknownId: unknownId, mergePrefixLength: prefixLength,
                     json: Data(UnsafeRawBufferPointer(rebasing: bytes[jsonAt..<end])))
    }

    /// Version 3's planes decoded: offsets from the token lengths (which must add up to the token
    /// bytes, so the offsets are in range), merge triples from the three columns.
    private func planedArrays(at start: Int, tokenCount n: Int, mergeCount: Int, tokenBytes: Range<Int>) throws -> Arrays {
        let lengths = CompiledTokenizer.planes(bytes, at: start, count: n)
        // In Int: N lengths below 2^32 cannot overflow it, so a hostile sum is reported, not wrapped.
        let total = lengths.reduce(0) { $0 + Int($1) }
        guard total == tokenBytes.count else {
            throw fail("token_lengths add up to \(total), not the \(tokenBytes.count) token bytes")
        }
        var offsets = [UInt32](repeating: 0, count: n + 1)
        for i in 0..<n { offsets[i + 1] = offsets[i] + lengths[i] }
        let columnsAt = start + 4 * n
        let lefts = CompiledTokenizer.planes(bytes, at: columnsAt, count: mergeCount)
        let rights = CompiledTokenizer.planes(bytes, at: columnsAt + 4 * mergeCount, count: mergeCount)
        let merged = CompiledTokenizer.runningSums(CompiledTokenizer.planes(bytes, at: columnsAt + 8 * mergeCount, count: mergeCount))
        var merges = [Int32](repeating: 0, count: 3 * mergeCount)
        for rank in 0..<mergeCount {
            merges[3 * rank] = Int32(bitPattern: lefts[rank])
            merges[3 * rank + 1] = Int32(bitPattern: rights[rank])
            merges[3 * rank + 2] = Int32(bitPattern: merged[rank])
        }
        return Arrays(offsets: offsets, sorted: nil, merges: merges, tokenBytes: tokenBytes)
    }

    /// The token strings as raw buffers, for the checks' tight loops.
    private struct Tokens {
        let offsets: UnsafeBufferPointer<UInt32>
        let bytes: UnsafeBufferPointer<UInt8>

        var count: Int { offsets.count - 1 }

        /// Valid once the offsets are checked.
        @inline(__always)
        func token(_ id: Int) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: bytes[Int(offsets[id])..<Int(offsets[id + 1])])
        }

        @inline(__always)
        func has(_ id: Int32) -> Bool { id >= 0 && Int(id) < count && offsets[Int(id)] < offsets[Int(id) + 1] }
    }

    /// Offsets start at 0, never decrease, end at the byte count, and fall on UTF-8 character
    /// starts of valid UTF-8 (so every token is valid UTF-8). Returns how many ids have a token.
    private func checkOffsets(_ tokens: Tokens) throws -> Int {
        let offsets = tokens.offsets, bytes = tokens.bytes
        guard offsets[0] == 0 else { throw fail("token_offsets[0] is \(offsets[0]), not 0") }
        guard Int(offsets[tokens.count]) == bytes.count else {
            throw fail("token_offsets[\(tokens.count)] is \(offsets[tokens.count]), not the \(bytes.count) token bytes")
        }
        var present = 0
        for i in 0..<tokens.count {
            guard offsets[i] <= offsets[i + 1] else {
                throw fail("token_offsets[\(i + 1)] = \(offsets[i + 1]) is below token_offsets[\(i)] = \(offsets[i])")
            }
            // Checked here, not only at the end: the byte at offsets[i] is read below.
            guard Int(offsets[i + 1]) <= bytes.count else {
                throw fail("token_offsets[\(i + 1)] = \(offsets[i + 1]) is beyond the \(bytes.count) token bytes")
            }
            if offsets[i] < offsets[i + 1] {
                present += 1
                // 0b10xxxxxx continues a character; a token must not start there.
                guard bytes[Int(offsets[i])] & 0xC0 != 0x80 else { throw fail("token \(i) starts inside a UTF-8 character") }
            }
        }
        if String(validating: bytes, as: UTF8.self) == nil {
            let bad = (0..<tokens.count).first { String(validating: tokens.token($0), as: UTF8.self) == nil }
            throw fail("token \(bad.map(String.init) ?? "?") is not valid UTF-8")
        }
        return present
    }

    /// An id field as stored: "none" for 0xFFFFFFFF, otherwise the unsigned value.
    private static func describe(_ id: Int32) -> String { id == -1 ? "none" : "\(UInt32(bitPattern: id))" }

    /// Every listed id has a token and the tokens strictly increase, so the list holds each id that
    /// has a token exactly once (its length was checked against the count) and binary search works.
    private func checkSortedIds(_ sorted: UnsafeBufferPointer<Int32>, _ tokens: Tokens) throws {
        for (k, id) in sorted.enumerated() {
            guard tokens.has(id) else { throw fail("sorted_ids[\(k)] = \(Self.describe(id)) is not an id with a token") }
            guard k == 0 || Vocabulary.precedes(tokens.token(Int(sorted[k - 1])), tokens.token(Int(id))) else {
                throw fail("sorted_ids[\(k)] = \(id) does not sort after sorted_ids[\(k - 1)] = \(sorted[k - 1])")
            }
        }
    }

    /// The sorted index computed from the tokens (version 3) strictly increases: no two ids have the
    /// same token, as in a JSON vocabulary, where each string maps to one id.
    private func checkDistinct(_ sorted: UnsafeBufferPointer<Int32>, _ tokens: Tokens) throws {
        for k in sorted.indices.dropFirst() where !Vocabulary.precedes(tokens.token(Int(sorted[k - 1])), tokens.token(Int(sorted[k]))) {
            let a = min(sorted[k - 1], sorted[k]), b = max(sorted[k - 1], sorted[k])
            throw fail("tokens \(a) and \(b) are the same bytes (\(String(decoding: tokens.token(Int(a)), as: UTF8.self).debugDescription)); a token has one id")
        }
    }

    /// Each merge names three ids with tokens, and the merged token is the left one followed by the
    /// right one without its first `prefixLength` bytes (the continuing-subword prefix).
    private func checkMerges(_ merges: UnsafeBufferPointer<Int32>, _ tokens: Tokens, prefixLength: Int) throws {
        for rank in 0..<(merges.count / 3) {
            let left = merges[3 * rank], right = merges[3 * rank + 1], merged = merges[3 * rank + 2]
            guard tokens.has(left), tokens.has(right), tokens.has(merged) else {
                throw fail("merge \(rank) (\(Self.describe(left)), \(Self.describe(right)), \(Self.describe(merged))) uses an id without a token")
            }
            let l = tokens.token(Int(left)), r = tokens.token(Int(right)), m = tokens.token(Int(merged))
            guard r.count >= prefixLength, m.count == l.count + r.count - prefixLength,
                  memcmp(m.baseAddress!, l.baseAddress!, l.count) == 0,
                  r.count == prefixLength || memcmp(m.baseAddress! + l.count, r.baseAddress! + prefixLength, r.count - prefixLength) == 0 else {
                let rule = prefixLength == 0 ? "" : " without its first \(prefixLength) bytes"
                throw fail("merge \(rank): token \(merged) is not token \(left) followed by token \(right)\(rule)")
            }
        }
    }

    /// Each entry is exactly the id of the token `name(b)` names, as the JSON reader computes it.
    private func checkIds(_ stored: [Int32], _ expected: [Int32], table: String, name: (Int) -> String) throws {
        for b in 0..<256 where stored[b] != expected[b] {
            throw fail("\(table)[\(b)] is \(Self.describe(stored[b])), but the id of token '\(name(b))' is \(Self.describe(expected[b]))")
        }
    }
}

extension Tokenizer {
    /// Whether this build reads the compiled form in `bytes` (its layout version). A model file
    /// keeps the original JSON too, which a reader falls back to when this is false.
    public static func canLoadCompiled(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let version = CompiledTokenizerReader.version(of: bytes) else { return false }
        return CompiledTokenizer.versions.contains(version)
    }

    /// Loads the output of ``compile(jsonData:source:)``; behaves exactly like the tokenizer loaded
    /// from that JSON. `source` names the file in error messages.
    public convenience init(compiled bytes: UnsafeRawBufferPointer, source: String,
                            specialTokenNames: SpecialTokenNames = .init()) throws {
        let parts = try CompiledTokenizerReader.read(bytes, source: source)
        let root: Any
        do {
            root = try JSONReader.parse(parts.json)
        } catch {
            throw TokenizerError.invalidCompiled(file: source, reason: "its tokenizer.json part is not valid JSON: \(error)")
        }
        try self.init(json: JSONFields(root, file: source, path: ""), specialTokenNames: specialTokenNames) { modelJSON, characterLevel in
            let options = try BPEModel.Options(json: modelJSON)
            guard options.prefix.count == parts.mergePrefixLength else {
                throw TokenizerError.invalidCompiled(file: source, reason: "merge_prefix_length is \(parts.mergePrefixLength), "
                    + "but model.continuing_subword_prefix is \(options.prefix.count) bytes")
            }
            let model = BPEModel(vocabulary: parts.vocabulary, rankedMerges: parts.rankedMerges, options: options,
                                 characterLevel: characterLevel)
            guard model.unknownId == parts.unknownId else {
                func describe(_ id: Int32?) -> String { id.map { "\($0)" } ?? "none" }
                throw TokenizerError.invalidCompiled(file: source, reason: "unknown_id is \(describe(parts.unknownId)), "
                    + "but model.unk_token names \(describe(model.unknownId))")
            }
            return model
        }
    }
}
