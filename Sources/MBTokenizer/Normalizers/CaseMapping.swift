/// Full lowercase and uppercase mappings of the scalars they change (Rust's `char::to_lowercase`
/// and `to_uppercase`: UnicodeData plus the unconditional SpecialCasing entries, so U+0130
/// lowercases to two scalars).
///
/// `Unicode.Scalar.Properties.lowercaseMapping` returns a `String`, an allocation per call; these
/// tables are built once per process, on first use, from the ~1,500 scalars whose case changes
/// (all of them lie in planes 0 and 1), and looked up without allocating.
enum CaseMapping {
    /// Up to three scalars packed 21 bits apart, the count in the top two bits (mapped scalars are
    /// below U+20000, so the third never reaches them).
    typealias Packed = UInt64

    static let lowercase: [UInt32: Packed] = build(\.changesWhenLowercased, \.lowercaseMapping)
    static let uppercase: [UInt32: Packed] = build(\.changesWhenUppercased, \.uppercaseMapping)

    private static func build(_ changes: KeyPath<Unicode.Scalar.Properties, Bool>,
                              _ mapping: KeyPath<Unicode.Scalar.Properties, String>) -> [UInt32: Packed] {
        var table: [UInt32: Packed] = [:]
        for v in UInt32(0x80)..<0x20000 {
            guard let scalar = Unicode.Scalar(v), scalar.properties[keyPath: changes] else { continue }
            let mapped = scalar.properties[keyPath: mapping].unicodeScalars.map(\.value)
            guard !mapped.isEmpty, mapped.count <= 3, mapped != [v] else { continue }
            var packed = Packed(mapped.count) << 62
            for (k, m) in mapped.enumerated() { packed |= Packed(m) << (21 * Packed(k)) }
            table[v] = packed
        }
        return table
    }

    @inline(__always)
    static func count(_ packed: Packed) -> Int { Int(packed >> 62) }

    @inline(__always)
    static func scalar(_ packed: Packed, _ k: Int) -> UInt32 { UInt32(truncatingIfNeeded: packed >> (21 * Packed(k))) & 0x1F_FFFF }

    /// The single-scalar lowercase of `v`, or `v` when it has none or it is longer.
    @inline(__always)
    static func simpleLower(_ v: UInt32) -> UInt32 {
        if v < 0x80 { return (0x41...0x5A).contains(v) ? v + 32 : v }
        guard let packed = lowercase[v], count(packed) == 1 else { return v }
        return scalar(packed, 0)
    }

    @inline(__always)
    static func simpleUpper(_ v: UInt32) -> UInt32 {
        if v < 0x80 { return (0x61...0x7A).contains(v) ? v - 32 : v }
        guard let packed = uppercase[v], count(packed) == 1 else { return v }
        return scalar(packed, 0)
    }

    /// Simple case folding as regex `(?i)` uses it: two scalars match when their folds are equal.
    /// Multi-scalar folds (ß and "ss") are not applied.
    @inline(__always)
    static func fold(_ v: UInt32) -> UInt32 {
        if v < 0x80 { return (0x41...0x5A).contains(v) ? v + 32 : v }
        return simpleLower(simpleUpper(v))
    }
}
