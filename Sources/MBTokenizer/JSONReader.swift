import Foundation
import MBJSON

/// A strict JSON parser that returns native Swift values: `[String: Any]`, `[Any]`, `String`,
/// `Int` (integer literals that fit), `Double`, `Bool` and `NSNull`.
///
/// Why not `JSONSerialization`: on Linux it builds NSDictionary/NSNumber trees whose bridging
/// dominated start-up (a 3.5 MB tokenizer.json took ~300 ms, most of a fill-mask call), and it
/// silently drops a literal U+FEFF inside strings. This parser reads the same file in a fraction
/// of that, keeps every character, never traps on malformed input, and limits nesting depth.
/// The lexical rules are `JSONScanner`'s (MBJSON), shared with the safetensors header parser;
/// this type only builds the tree.
enum JSONReader {
    typealias Failure = JSONSyntaxError

    static let maxDepth = 128

    static func parse(_ data: Data) throws -> Any {
        try data.withUnsafeBytes { raw in
            try JSONScanner.parseDocument(raw.bindMemory(to: UInt8.self)) { try value(&$0, depth: 0) }
        }
    }

    /// Byte ranges, in file order, of the values of `members` inside the object at `key` of the root
    /// object (`vocab` and `merges` inside `model`), so that a copy of the file can leave them out
    /// without re-serializing the rest.
    static func valueRanges(of members: Set<String>, inObject key: String, of data: Data) throws -> [Range<Int>] {
        try data.withUnsafeBytes { raw in
            var scanner = JSONScanner(raw.bindMemory(to: UInt8.self))
            var ranges: [Range<Int>] = []
            scanner.skipWhitespace()
            try scanner.forEachMember { scanner, name in
                guard name == key, scanner.current == UInt8(ascii: "{") else { _ = try value(&scanner, depth: 1); return }
                try scanner.forEachMember { scanner, inner in
                    let start = scanner.offset
                    _ = try value(&scanner, depth: 2)
                    if members.contains(inner) { ranges.append(start..<scanner.offset) }
                }
            }
            return ranges
        }
    }

    private static func value(_ scanner: inout JSONScanner, depth: Int) throws -> Any {
        try scanner.checkDepth(depth, limit: maxDepth)
        switch try scanner.valueKind() {
        case .object:
            var result: [String: Any] = [:]
            var members: [(String, Any)]?
            try scanner.forEachMember { scanner, key in
                let item = try value(&scanner, depth: depth + 1)
                if members != nil {
                    members!.append((key, item))
                } else if let old = result.updateValue(item, forKey: key),
                          let index = result.index(forKey: key), !result.keys[index].utf8.elementsEqual(key.utf8) {
                    // Equal as Swift strings (canonically equivalent) but not the same bytes: keep both.
                    result[key] = old
                    members = result.map { ($0.key, $0.value) } + [(key, item)]
                }
            }
            return members.map(JSONEquivalentKeysObject.init) ?? result
        case .array:
            var result: [Any] = []
            try scanner.forEachElement { scanner in result.append(try value(&scanner, depth: depth + 1)) }
            return result
        case .string:
            return try scanner.string()
        case .number:
            return try number(&scanner)
        case .bool:
            return try scanner.bool()
        case .null:
            try scanner.null()
            return NSNull()
        }
    }

    /// An integer literal that fits becomes `Int`; any other number `Double`, which must be finite.
    private static func number(_ scanner: inout JSONScanner) throws -> Any {
        let literal = try scanner.number()
        if let integer = scanner.integerValue(of: literal) { return integer }
        let text = scanner.text(of: literal)
        guard let double = Double(text), double.isFinite else {
            throw Failure("number \(text) is out of range", offset: literal.range.lowerBound)
        }
        return double
    }
}

/// A JSON object with two keys that are different bytes but equal as Swift strings, which compare
/// by canonical equivalence ("\u{E9}" and "e\u{301}"): a `[String: Any]` would keep only one,
/// while Hugging Face (Rust strings, compared by bytes) keeps both. SentencePiece-style vocabularies
/// can hold such pairs; readers of other objects treat this as "not an object" and say so.
struct JSONEquivalentKeysObject {
    /// Every member in file order (a key repeated byte for byte appears twice; the last one counts).
    var members: [(String, Any)]
}
