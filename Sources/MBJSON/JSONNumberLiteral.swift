/// A number as written in the input: where its bytes are, and whether it is an integer literal.
///
/// The scanner checks the grammar but converts nothing, because the parsers want different things:
/// the tokenizer wants `Int` or `Double`, the safetensors header keeps the exact text so that
/// "is this an integer that fits in `Int`" has one answer. Both read the value from here.
public struct JSONNumberLiteral: Hashable, Sendable {
    /// The literal's bytes in the scanner's input.
    public var range: Range<Int>
    /// True when the literal has neither a fraction nor an exponent (`12`, `-0`).
    public var isInteger: Bool

    @inlinable
    public init(range: Range<Int>, isInteger: Bool) {
        self.range = range
        self.isInteger = isInteger
    }
}

extension JSONScanner {
    /// Reads a number under RFC 8259's grammar: `-`? (`0` | [1-9][0-9]*) (`.` [0-9]+)?
    /// ([eE] [+-]? [0-9]+)?. Leading zeros, a bare `-`, `1.` and `1e` are refused here rather than
    /// left to a later conversion to accept or not.
    @inlinable
    public mutating func number() throws -> JSONNumberLiteral {
        let start = position
        var isInteger = true
        _ = consume(UInt8(ascii: "-"))
        if consume(UInt8(ascii: "0")) {
            if let next = current, Self.isDigit(next) { try fail("invalid number: leading zero") }
        } else if skipDigits() == 0 {
            try fail("invalid number")
        }
        if consume(UInt8(ascii: ".")) {
            isInteger = false
            guard skipDigits() > 0 else { try fail("invalid number: digits must follow '.'") }
        }
        if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
            isInteger = false
            if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
            guard skipDigits() > 0 else { try fail("invalid number: digits must follow the exponent") }
        }
        return JSONNumberLiteral(range: start..<position, isInteger: isInteger)
    }

    /// The literal's text, exactly as written.
    @inlinable
    public func text(of literal: JSONNumberLiteral) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[literal.range]), as: UTF8.self)
    }

    /// The literal's value when it is an integer literal that fits in `Int`, else `nil`: the same
    /// answer as `Int(text(of: literal))`, without building the text.
    @inlinable
    public func integerValue(of literal: JSONNumberLiteral) -> Int? {
        guard literal.isInteger else { return nil }
        var index = literal.range.lowerBound
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        // Accumulate downwards: Int.min has no positive counterpart.
        var value = 0
        while index < literal.range.upperBound {
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = shifted.subtractingReportingOverflow(Int(bytes[index] &- 0x30))
            if o1 || o2 { return nil }
            value = next
            index += 1
        }
        if negative { return value }
        let (positive, overflow) = (0).subtractingReportingOverflow(value)
        return overflow ? nil : positive
    }

    @inlinable @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    /// Skips a run of ASCII digits and returns its length.
    @inlinable @inline(__always)
    mutating func skipDigits() -> Int {
        let start = position
        while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
        return position - start
    }
}
