import MBJSON

/// Why a header could not be parsed as JSON, with the byte offset where parsing stopped.
typealias JSONParseFailure = JSONSyntaxError

/// A strict RFC 8259 parser over UTF-8 bytes into `JSONValue` that never traps on malformed
/// input. The lexical rules are `JSONScanner`'s (MBJSON), shared with the tokenizer's
/// `JSONReader`; this type only builds the tree.
enum HeaderJSONParser {
    /// Deep enough for any real header (which nests three levels), shallow enough that
    /// recursion can never exhaust the stack.
    static let maxDepth = 64

    /// Parses exactly one JSON value surrounded by optional whitespace.
    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer in
            try JSONScanner.parseDocument(buffer) { try value(&$0, depth: 0) }
        }
    }

    private static func value(_ scanner: inout JSONScanner, depth: Int) throws -> JSONValue {
        try scanner.checkDepth(depth, limit: maxDepth)
        switch try scanner.valueKind() {
        case .object:
            var members: [(key: String, value: JSONValue)] = []
            try scanner.forEachMember { scanner, key in members.append((key, try value(&scanner, depth: depth + 1))) }
            return .object(members)
        case .array:
            var elements: [JSONValue] = []
            try scanner.forEachElement { scanner in elements.append(try value(&scanner, depth: depth + 1)) }
            return .array(elements)
        case .string:
            return .string(try scanner.string())
        case .number:
            return .number(scanner.text(of: try scanner.number()))
        case .bool:
            return .bool(try scanner.bool())
        case .null:
            try scanner.null()
            return .null
        }
    }
}
