import Foundation

/// A strict JSON parser that returns native Swift values: `[String: Any]`, `[Any]`, `String`,
/// `Int` (integer literals that fit), `Double`, `Bool` and `NSNull`.
///
/// Why not `JSONSerialization`: on Linux it builds NSDictionary/NSNumber trees whose bridging
/// dominated start-up (a 3.5 MB tokenizer.json took ~300 ms, most of a fill-mask call), and it
/// silently drops a literal U+FEFF inside strings. This parser reads the same file in a fraction
/// of that, keeps every character, never traps on malformed input, and limits nesting depth.
struct JSONReader {
    struct Failure: Error, CustomStringConvertible {
        var message: String
        var offset: Int
        var description: String { "\(message) at byte \(offset)" }
    }

    static let maxDepth = 128

    static func parse(_ data: Data) throws -> Any {
        try data.withUnsafeBytes { raw in
            var reader = JSONReader(bytes: raw.bindMemory(to: UInt8.self))
            reader.skipWhitespace()
            let value = try reader.value(depth: 0)
            reader.skipWhitespace()
            guard reader.index == reader.bytes.count else { throw reader.fail("unexpected text after the JSON value") }
            return value
        }
    }

    /// Byte ranges, in file order, of the values of `members` inside the object at `key` of the root
    /// object (`vocab` and `merges` inside `model`), so that a copy of the file can leave them out
    /// without re-serializing the rest.
    static func valueRanges(of members: Set<String>, inObject key: String, of data: Data) throws -> [Range<Int>] {
        try data.withUnsafeBytes { raw in
            var reader = JSONReader(bytes: raw.bindMemory(to: UInt8.self))
            var ranges: [Range<Int>] = []
            try reader.forEachMember { reader, name in
                guard name == key, reader.current == UInt8(ascii: "{") else { _ = try reader.value(depth: 1); return }
                try reader.forEachMember { reader, inner in
                    let start = reader.index
                    _ = try reader.value(depth: 2)
                    if members.contains(inner) { ranges.append(start..<reader.index) }
                }
            }
            return ranges
        }
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    private func fail(_ message: String) -> Failure { Failure(message: message, offset: index) }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard current == byte else { throw fail("expected '\(Character(Unicode.Scalar(byte)))'") }
        index += 1
    }

    private mutating func value(depth: Int) throws -> Any {
        guard depth < Self.maxDepth else { throw fail("nesting deeper than \(Self.maxDepth) levels") }
        switch current {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return try string()
        case UInt8(ascii: "t"): try literal("true"); return true
        case UInt8(ascii: "f"): try literal("false"); return false
        case UInt8(ascii: "n"): try literal("null"); return NSNull()
        case .some(let b) where b == UInt8(ascii: "-") || (b >= 0x30 && b <= 0x39): return try number()
        default: throw fail(current == nil ? "unexpected end of JSON" : "unexpected character")
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail("unexpected end of JSON") }
        for i in 0..<count where bytes[index + i] != word.utf8Start[i] { throw fail("invalid literal") }
        index += count
    }

    private mutating func object(depth: Int) throws -> [String: Any] {
        var result: [String: Any] = [:]
        try forEachMember { reader, key in result[key] = try reader.value(depth: depth + 1) }
        return result
    }

    /// Walks the object at the cursor without building it: `body` gets each key with the cursor on
    /// its value, and must consume the value.
    private mutating func forEachMember(_ body: (inout JSONReader, String) throws -> Void) throws {
        skipWhitespace()
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        if current == UInt8(ascii: "}") { index += 1; return }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let key = try string()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            try body(&self, key)
            skipWhitespace()
            if current == UInt8(ascii: ",") { index += 1; continue }
            try expect(UInt8(ascii: "}"))
            return
        }
    }

    private mutating func array(depth: Int) throws -> [Any] {
        index += 1
        var result: [Any] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { index += 1; return result }
        while true {
            skipWhitespace()
            result.append(try value(depth: depth + 1))
            skipWhitespace()
            if current == UInt8(ascii: ",") { index += 1; continue }
            try expect(UInt8(ascii: "]"))
            return result
        }
    }

    private mutating func number() throws -> Any {
        let start = index
        var isInteger = true
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, first >= 0x30, first <= 0x39 else { throw fail("invalid number") }
        while let b = current, (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: ".") || b == UInt8(ascii: "e")
                || b == UInt8(ascii: "E") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") {
            if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") { isInteger = false }
            index += 1
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if isInteger, let n = Int(text) { return n }
        guard let d = Double(text), d.isFinite else { throw Failure(message: "invalid number \(text)", offset: start) }
        return d
    }

    private mutating func string() throws -> String {
        index += 1
        let start = index
        // Fast path: no escapes, so the bytes between the quotes are the string.
        while let b = current, b != UInt8(ascii: "\""), b != UInt8(ascii: "\\") {
            guard b >= 0x20 else { throw fail("control character in string") }
            index += 1
        }
        guard let stop = current else { throw fail("unterminated string") }
        if stop == UInt8(ascii: "\"") {
            defer { index += 1 }
            return try validated(start..<index)
        }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: try validated(start..<index).unicodeScalars)
        while true {
            guard let b = current else { throw fail("unterminated string") }
            if b == UInt8(ascii: "\"") { index += 1; return String(scalars) }
            if b == UInt8(ascii: "\\") {
                index += 1
                scalars.append(try escape())
                continue
            }
            let runStart = index
            while let c = current, c != UInt8(ascii: "\""), c != UInt8(ascii: "\\") {
                guard c >= 0x20 else { throw fail("control character in string") }
                index += 1
            }
            scalars.append(contentsOf: try validated(runStart..<index).unicodeScalars)
        }
    }

    private func validated(_ range: Range<Int>) throws -> String {
        guard let s = String(validating: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) else {
            throw Failure(message: "invalid UTF-8 in string", offset: range.lowerBound)
        }
        return s
    }

    private mutating func escape() throws -> Unicode.Scalar {
        guard let b = current else { throw fail("unterminated escape") }
        index += 1
        switch b {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let high = try hex4()
            if (0xD800..<0xDC00).contains(high) {
                guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                    throw fail("unpaired surrogate")
                }
                index += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate") }
                return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
            }
            guard let scalar = Unicode.Scalar(high) else { throw fail("unpaired surrogate") }
            return scalar
        default:
            throw fail("invalid escape")
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case 0x30...0x39: digit = UInt32(b - 0x30)
            case 0x41...0x46: digit = UInt32(b - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(b - 0x61 + 10)
            default: throw fail("invalid \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
