/// Open-addressing hash table from a Unicode scalar to a token id: the initial symbols of
/// character-level BPE, looked up once per scalar of every word, so it must be a couple of loads,
/// not a `Dictionary` with SipHash.
struct ScalarIdTable: Sendable {
    private static let empty = UInt64.max
    /// Slot: `scalar << 32 | id`.
    private var slots: [UInt64]
    private let mask: Int
    private(set) var count = 0

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [UInt64](repeating: Self.empty, count: size)
        mask = size - 1
    }

    @inline(__always)
    private func slot(_ scalar: UInt32) -> Int { Int(truncatingIfNeeded: (UInt64(scalar) &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask }

    /// Keeps the first id stored for a scalar.
    mutating func insert(_ scalar: UInt32, _ id: Int32) {
        var i = slot(scalar)
        while slots[i] != Self.empty {
            if slots[i] >> 32 == UInt64(scalar) { return }
            i = (i + 1) & mask
        }
        slots[i] = UInt64(scalar) << 32 | UInt64(UInt32(bitPattern: id))
        count += 1
    }

    /// The id of `scalar`, or -1.
    @inline(__always)
    func id(_ scalar: UInt32) -> Int32 {
        slots.withUnsafeBufferPointer { s in
            var i = slot(scalar)
            while true {
                let entry = s[i]
                if entry == Self.empty { return -1 }
                if entry >> 32 == UInt64(scalar) { return Int32(truncatingIfNeeded: entry) }
                i = (i + 1) & mask
            }
        }
    }
}
