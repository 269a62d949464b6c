/// Open-addressing hash table from a packed (left id, right id) pair to its merge.
///
/// BPE spends most of its time asking "do these two adjacent tokens merge, and how early?".
/// A flat table with a multiplicative hash answers that in a couple of memory loads, where
/// `Dictionary` would run SipHash on every probe.
struct MergeTable: Sendable {
    private static let empty = UInt64.max
    /// Slot i is `entries[2i]`, the key, and `entries[2i + 1]`, `rank << 32 | mergedId`: side by
    /// side, a probe touches one cache line (the table is 2 MB for ModernBERT, far beyond L1/L2).
    private var entries: [UInt64]
    private let mask: Int
    private let shift: UInt64

    init(capacity: Int) {
        var size = 16
        var bits: UInt64 = 4
        while size < capacity * 2 {
            size <<= 1
            bits += 1
        }
        entries = [UInt64](repeating: Self.empty, count: 2 * size)
        mask = size - 1
        shift = 64 - bits
    }

    @inline(__always)
    static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// When a pair appears twice the later entry wins, as in Hugging Face (its merge map is built
    /// by collecting the ranked list into a hash map).
    mutating func insert(left: Int32, right: Int32, rank: Int32, merged: Int32) {
        let key = Self.key(left, right)
        var i = slot(key)
        while entries[2 * i] != Self.empty {
            if entries[2 * i] == key { break }
            i = (i + 1) & mask
        }
        entries[2 * i] = key
        entries[2 * i + 1] = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: merged))
    }

    /// The merge of `left` followed by `right`, if any.
    @inline(__always)
    func lookup(_ left: Int32, _ right: Int32) -> (rank: Int32, merged: Int32)? {
        let key = Self.key(left, right)
        var i = slot(key)
        return entries.withUnsafeBufferPointer { e in
            while true {
                let found = e[2 * i]
                if found == key {
                    let v = e[2 * i + 1]
                    return (Int32(truncatingIfNeeded: v >> 32), Int32(truncatingIfNeeded: v))
                }
                if found == Self.empty { return nil }
                i = (i + 1) & mask
            }
        }
    }
}
