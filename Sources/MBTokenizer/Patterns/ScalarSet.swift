/// A set of scalars as an Oniguruma character class, escape (`\s`, `\p{L}`) or `.` describes it.
///
/// Membership of ASCII scalars is a precomputed 128-bit map; the rest is evaluated from the
/// items (ranges, category masks, binary properties, nested classes) through ``UnicodeCategory``.
struct ScalarSet: Sendable {
    enum Item: Sendable {
        case range(UInt32, UInt32)
        /// General categories (bit i = category index i of ``UnicodeCategory``).
        case categories(UInt64)
        case alphabetic
        case whitespace
        /// Oniguruma's `\w`.
        case word
        case any
        case emoji
        /// A nested class (`[a[b]]`, `\P{L}` as an item, `\S` inside brackets).
        indirect case set(ScalarSet)
    }

    private(set) var items: [Item]
    private(set) var negated: Bool
    /// Operands of `&&`: a scalar must also be in every one of them.
    private(set) var intersections: [ScalarSet]
    private var asciiLow: UInt64 = 0
    private var asciiHigh: UInt64 = 0

    init(_ items: [Item], negated: Bool = false, intersections: [ScalarSet] = []) {
        self.items = items
        self.negated = negated
        self.intersections = intersections
        for v in UInt32(0)..<128 where slowContains(v) {
            if v < 64 { asciiLow |= 1 << UInt64(v) } else { asciiHigh |= 1 << UInt64(v - 64) }
        }
    }

    @inline(__always)
    func contains(_ v: UInt32) -> Bool {
        if v < 64 { return asciiLow & (1 << UInt64(v)) != 0 }
        if v < 128 { return asciiHigh & (1 << UInt64(v - 64)) != 0 }
        return slowContains(v)
    }

    /// Case-insensitive membership (`(?i)`): the scalar or one of its simple case variants.
    func containsCaseless(_ v: UInt32) -> Bool {
        if contains(v) { return true }
        let lower = CaseMapping.simpleLower(v), upper = CaseMapping.simpleUpper(v)
        if lower != v, contains(lower) { return true }
        if upper != v, contains(upper) { return true }
        let folded = CaseMapping.fold(v)
        return folded != v && folded != lower && contains(folded)
    }

    private func slowContains(_ v: UInt32) -> Bool {
        var found = false
        for item in items where Self.matches(item, v) {
            found = true
            break
        }
        if found {
            for other in intersections where !other.contains(v) {
                found = false
                break
            }
        }
        return found != negated
    }

    private static func matches(_ item: Item, _ v: UInt32) -> Bool {
        switch item {
        case let .range(lo, hi): return lo <= v && v <= hi
        case let .categories(mask): return mask & (1 << UInt64(UnicodeCategory.category(v))) != 0
        case .alphabetic: return UnicodeCategory.isAlphabetic(v)
        case .whitespace: return UnicodeCategory.isWhitespace(v)
        case .word: return UnicodeCategory.isOnigurumaWord(v)
        case .any: return true
        case .emoji: return Unicode.Scalar(v)?.properties.isEmoji ?? false
        case let .set(inner): return inner.contains(v)
        }
    }

    // MARK: - The escapes

    static let digit = ScalarSet([.categories(1 << UInt64(UnicodeCategory.nd))])
    static let space = ScalarSet([.whitespace])
    static let word = ScalarSet([.word])
    static let hexDigit = ScalarSet([.range(0x30, 0x39), .range(0x41, 0x46), .range(0x61, 0x66)])
    /// `.`: everything but a newline (Oniguruma's Ruby syntax).
    static let dot = ScalarSet([.range(0x0A, 0x0A)], negated: true)
    static let all = ScalarSet([.any])

    /// The set a `\p{name}` names (`\P{name}` and `\p{^name}` negate it), or nil when the property is
    /// not one this build supports (scripts such as `Han` are not available from Swift).
    static func property(_ name: String, negated: Bool) -> ScalarSet? {
        let key = String(name.lowercased().unicodeScalars.filter { $0 != " " && $0 != "_" && $0 != "-" })
        let item: Item
        if let mask = UnicodeCategory.namedMasks[key] {
            item = .categories(mask)
        } else {
            switch key {
            case "alphabetic", "alpha": item = .alphabetic
            case "whitespace", "space": item = .whitespace
            case "word": item = .word
            case "any": item = .any
            case "assigned": return ScalarSet([.categories(1 << UInt64(UnicodeCategory.cn))], negated: !negated)
            case "emoji": item = .emoji
            default: return nil
            }
        }
        return ScalarSet([item], negated: negated)
    }
}
