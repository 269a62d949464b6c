/// A cursor over the UTF-8 bytes of one JSON text that reads it token by token under RFC 8259's
/// grammar and refuses anything else with a ``JSONSyntaxError`` at the offending byte.
///
/// The scanner builds no tree. Each parser keeps its own model (native Swift values for the
/// tokenizer, an order-keeping enum for safetensors headers) and walks the text with a scanner,
/// so the lexical rules (escapes, surrogates, UTF-8, the number grammar, nesting limits) are
/// written once. It never traps on malformed input.
///
/// A typical parser switches on ``valueKind()`` and calls the matching reader:
///
/// ```swift
/// switch try scanner.valueKind() {
/// case .object: try scanner.forEachMember { scanner, key in ... }
/// case .string: return try scanner.string()
/// ...
/// }
/// ```
///
/// The scanner borrows its bytes: use it only while the buffer is valid (inside
/// `withUnsafeBytes`, or through ``parseDocument(_:value:)``). Its hot methods are `@inlinable`
/// so that a parser in another module reads a multi-megabyte file without a call per byte.
public struct JSONScanner {
    @usableFromInline
    let bytes: UnsafeBufferPointer<UInt8>

    @usableFromInline
    var position: Int

    /// A scanner at the start of `bytes`.
    @inlinable
    public init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        self.position = 0
    }

    /// Reads one complete JSON text: optional whitespace, the value `value` reads, optional
    /// whitespace, and nothing after it.
    @inlinable
    public static func parseDocument<Value>(
        _ bytes: UnsafeBufferPointer<UInt8>,
        value: (inout JSONScanner) throws -> Value
    ) throws -> Value {
        var scanner = JSONScanner(bytes)
        scanner.skipWhitespace()
        let result = try value(&scanner)
        scanner.skipWhitespace()
        guard scanner.isAtEnd else { try scanner.fail("unexpected data after the top-level value") }
        return result
    }

    /// Offset of the next byte to read.
    @inlinable
    public var offset: Int { position }

    /// The next byte, or `nil` at the end of the input.
    @inlinable
    public var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    @inlinable
    public var isAtEnd: Bool { position >= bytes.count }

    /// An error at the current offset.
    @inlinable
    public func failure(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(message, offset: position)
    }

    /// Throws ``failure(_:)``. Refusals go through these out-of-line functions so that the hot
    /// paths inlined into parsers carry a call, not the code that builds and throws an error.
    @usableFromInline @inline(never)
    func fail(_ message: String) throws -> Never {
        throw failure(message)
    }

    @usableFromInline @inline(never)
    func fail(expected what: String) throws -> Never {
        throw failure("expected \(what)")
    }

    @usableFromInline @inline(never)
    func fail(nestingDeeperThan limit: Int) throws -> Never {
        throw failure("nesting deeper than \(limit) levels")
    }

    @usableFromInline @inline(never)
    func fail(invalidLiteral word: StaticString) throws -> Never {
        throw failure("invalid literal (expected \(word))")
    }

    /// Skips JSON's four whitespace bytes (space, tab, line feed, carriage return) and nothing else.
    @inlinable @inline(__always)
    public mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    /// Steps over `byte` if it is next; says whether it was.
    @inlinable @inline(__always)
    public mutating func consume(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    /// Steps over `byte`, or fails with "expected `what`".
    @inlinable @inline(__always)
    public mutating func expect(_ byte: UInt8, _ what: String) throws {
        guard consume(byte) else { try fail(expected: what) }
    }

    /// Refuses a value at `depth` (0 for the top-level value) when that is `limit` or deeper:
    /// parsers recurse once per level, so the limit bounds their stack on hostile input.
    @inlinable @inline(__always)
    public func checkDepth(_ depth: Int, limit: Int) throws {
        guard depth < limit else { try fail(nestingDeeperThan: limit) }
    }
}
