extension JSONScanner {
    /// Reads a string from its opening quote, decoding every escape, so `"a"` and `"\u0061"` come
    /// out equal. Refuses control characters, invalid escapes, unpaired surrogates and invalid
    /// UTF-8 (overlong forms and encoded surrogates included) rather than repairing them.
    @inlinable
    public mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""), "'\"'")
        let start = position
        // Fast path: no escapes, so the bytes between the quotes are the string.
        try skipPlainRun()
        guard position < bytes.count else { try fail("unterminated string") }
        if bytes[position] == UInt8(ascii: "\"") {
            let string = try validated(start..<position)
            position += 1
            return string
        }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: try validated(start..<position).unicodeScalars)
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "\""):
                position += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                position += 1
                scalars.append(try escape())
            default:
                let runStart = position
                try skipPlainRun()
                scalars.append(contentsOf: try validated(runStart..<position).unicodeScalars)
            }
        }
        try fail("unterminated string")
    }

    /// Skips to the next quote, backslash or end of input, refusing control characters.
    @inlinable @inline(__always)
    mutating func skipPlainRun() throws {
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return }
            guard byte >= 0x20 else { try fail("control character in string") }
            position += 1
        }
    }

    /// The bytes of `range` as a string, if they are valid UTF-8.
    @inlinable
    func validated(_ range: Range<Int>) throws -> String {
        guard let string = String(validating: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) else {
            try failInvalidUTF8(in: range)
        }
        return string
    }

    /// Refuses invalid UTF-8 in `range` at the first byte of its first invalid sequence.
    @usableFromInline @inline(never)
    func failInvalidUTF8(in range: Range<Int>) throws -> Never {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = UnsafeBufferPointer(rebasing: bytes[range]).makeIterator()
        var offset = range.lowerBound
        while case .valid(let scalar) = parser.parseScalar(from: &iterator) {
            offset += scalar.count
        }
        throw JSONSyntaxError("invalid UTF-8 in string", offset: offset)
    }

    /// Decodes one escape; the cursor is just past its backslash.
    @inlinable
    mutating func escape() throws -> Unicode.Scalar {
        guard position < bytes.count else { try fail("unterminated escape") }
        let byte = bytes[position]
        switch byte {
        case UInt8(ascii: "\""): position += 1; return "\""
        case UInt8(ascii: "\\"): position += 1; return "\\"
        case UInt8(ascii: "/"): position += 1; return "/"
        case UInt8(ascii: "b"): position += 1; return "\u{08}"
        case UInt8(ascii: "f"): position += 1; return "\u{0C}"
        case UInt8(ascii: "n"): position += 1; return "\n"
        case UInt8(ascii: "r"): position += 1; return "\r"
        case UInt8(ascii: "t"): position += 1; return "\t"
        case UInt8(ascii: "u"):
            position += 1
            return try unicodeEscape()
        default:
            try fail("invalid escape sequence")
        }
    }

    /// Decodes the `XXXX` of `\uXXXX`, and the low surrogate's `\uXXXX` after a high one.
    /// Not inlinable: `\u` escapes are rare in real files.
    @usableFromInline
    mutating func unicodeEscape() throws -> Unicode.Scalar {
        let code = try hex4()
        switch code {
        case 0xD800..<0xDC00:
            guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")) else {
                throw failure("unpaired surrogate in \\u escape")
            }
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw failure("unpaired surrogate in \\u escape") }
            return Unicode.Scalar(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))!
        case 0xDC00..<0xE000:
            throw failure("unpaired surrogate in \\u escape")
        default:
            return Unicode.Scalar(code)!
        }
    }

    /// Reads four hex digits.
    @usableFromInline
    mutating func hex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard position < bytes.count else { throw failure("unterminated \\u escape") }
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("invalid hex digit in \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }
}
