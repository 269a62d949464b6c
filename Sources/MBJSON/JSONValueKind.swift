/// The six kinds of JSON value, as told by a value's first byte.
///
/// ``JSONScanner/valueKind()`` returns one so that each parser dispatches with one exhaustive
/// `switch` and cannot forget a kind or disagree with another parser about which bytes start one.
public enum JSONValueKind: Hashable, Sendable {
    case object
    case array
    case string
    case number
    case bool
    case null
}

extension JSONScanner {
    /// The kind of the value at the cursor, without reading it; fails at the end of the input or
    /// on a byte that starts no value.
    @inlinable @inline(__always)
    public func valueKind() throws -> JSONValueKind {
        guard let byte = current else { try fail("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        default: try fail("unexpected character")
        }
    }
}
