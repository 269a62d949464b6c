/// A parsed JSON value that keeps what `JSONSerialization` throws away.
///
/// Safetensors headers come from untrusted files. `JSONSerialization` silently keeps one of
/// two duplicate keys, blurs `1`, `1.0` and `true` together in `NSNumber`, and recurses
/// without a fixed depth limit. `HeaderJSONParser` keeps object members in file order
/// (so duplicates are visible), keeps the literal text of numbers (so "is this an integer
/// that fits in `Int`" has one exact answer), and refuses nesting deeper than its `maxDepth`.
enum JSONValue {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    /// The number's literal text, exactly as written.
    case number(String)
    case bool(Bool)
    case null

    /// The JSON type name, for error messages ("expected an array, found a string").
    var typeDescription: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number(let text): return "the number \(text)"
        case .bool(let value): return "the literal \(value)"
        case .null: return "null"
        }
    }

    /// The value as an `Int` when it is an integer literal (no fraction, no exponent) in range.
    var integerValue: Int? {
        guard case .number(let text) = self,
              !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else { return nil }
        return Int(text)
    }
}
