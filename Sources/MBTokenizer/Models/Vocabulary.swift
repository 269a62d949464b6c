import Foundation

/// The BPE model's token strings by id: one UTF-8 buffer and an offset per id.
///
/// This is the form the compiled tokenizer stores, so loading one copies two arrays instead of
/// building 50k `String`s. Encoding never looks at it (BPE runs on ids); it serves `decode` and
/// the string-to-id lookups of special tokens, which go through a dictionary when the tokenizer
/// was read from JSON (built there anyway) and a binary search over a sorted id list when it
/// was compiled (stored in the file, so nothing is hashed at load).
struct Vocabulary: Sendable {
    enum Index: Sendable {
        case dictionary([String: Int32])
        /// Every id that has a token, ordered by the bytes of its token (`Vocabulary.precedes`).
        case sorted([Int32])
    }

    /// The UTF-8 of every token, in id order.
    let bytes: [UInt8]
    /// Token `id` is `bytes[offsets[id]..<offsets[id + 1]]`; an empty range means no token has that id.
    let offsets: [UInt32]
    let index: Index

    /// The caller guarantees the invariants (the compiled reader checks them, the JSON path builds them).
    init(bytes: [UInt8], offsets: [UInt32], index: Index) {
        self.bytes = bytes
        self.offsets = offsets
        self.index = index
    }

    /// From `tokens[id]`, as read from `tokenizer.json` (nil where no token has the id).
    init(tokens: [String?], ids: [String: Int32]) {
        var bytes: [UInt8] = []
        var offsets: [UInt32] = [0]
        offsets.reserveCapacity(tokens.count + 1)
        for token in tokens {
            if let token { bytes.append(contentsOf: token.utf8) }
            offsets.append(UInt32(bytes.count))
        }
        self.init(bytes: bytes, offsets: offsets, index: .dictionary(ids))
    }

    /// One more than the largest id.
    var count: Int { offsets.count - 1 }

    func range(_ id: Int) -> Range<Int> { Int(offsets[id])..<Int(offsets[id + 1]) }

    func token(_ id: Int32) -> String? {
        guard id >= 0, Int(id) < count else { return nil }
        let r = range(Int(id))
        return r.isEmpty ? nil : String(decoding: bytes[r], as: UTF8.self)
    }

    func id(of token: String) -> Int32? {
        switch index {
        case let .dictionary(ids):
            // `String` equality is canonical equivalence: "\u{E9}" finds "e\u{301}". Tokens are bytes.
            guard let id = ids[token] else { return nil }
            var token = token
            return token.withUTF8 { spells(id, $0) } ? id : nil
        case .sorted:
            var token = token
            return token.withUTF8 { id(ofUTF8: $0) }
        }
    }

    /// The id of the token spelled by `key` (UTF-8), without building a `String` when the index is sorted.
    func id(ofUTF8 key: UnsafeBufferPointer<UInt8>) -> Int32? {
        switch index {
        case let .dictionary(ids):
            guard let id = ids[String(decoding: key, as: UTF8.self)], spells(id, key) else { return nil }
            return id
        case let .sorted(sorted):
            return bytes.withUnsafeBufferPointer { all in
                sorted.withUnsafeBufferPointer { sorted in
                    var low = 0, high = sorted.count
                    while low < high {
                        let mid = (low + high) / 2
                        if Self.precedes(UnsafeBufferPointer(rebasing: all[range(Int(sorted[mid]))]), key) {
                            low = mid + 1
                        } else {
                            high = mid
                        }
                    }
                    guard low < sorted.count, all[range(Int(sorted[low]))].elementsEqual(key) else { return nil }
                    return sorted[low]
                }
            }
        }
    }

    /// Whether token `id` is exactly the bytes `key`.
    @inline(__always)
    private func spells(_ id: Int32, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let r = range(Int(id))
        guard r.count == key.count else { return false }
        return r.isEmpty || bytes.withUnsafeBufferPointer { memcmp($0.baseAddress! + r.lowerBound, key.baseAddress!, r.count) == 0 }
    }

    /// Every id that has a token, in the order of the compiled form's sorted index.
    func sortedIds() -> [Int32] {
        if case let .sorted(ids) = index { return ids }
        return Self.sortedIds(bytes: bytes, offsets: offsets)
    }

    /// Bytewise order, a proper prefix first (what `memcmp` and Rust's `&[u8]` ordering give).
    @inline(__always)
    static func precedes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = min(a.count, b.count)
        if n > 0 {
            let order = memcmp(a.baseAddress!, b.baseAddress!, n)
            if order != 0 { return order < 0 }
        }
        return a.count < b.count
    }
}
