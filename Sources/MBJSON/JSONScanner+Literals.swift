extension JSONScanner {
    /// Reads `true` or `false`.
    @inlinable
    public mutating func bool() throws -> Bool {
        if current == UInt8(ascii: "t") {
            try literal("true")
            return true
        }
        try literal("false")
        return false
    }

    /// Reads `null`.
    @inlinable
    public mutating func null() throws {
        try literal("null")
    }

    /// Reads exactly the bytes of `word`, failing at the first one that differs.
    @inlinable
    public mutating func literal(_ word: StaticString) throws {
        let start = word.utf8Start
        for i in 0..<word.utf8CodeUnitCount {
            guard position < bytes.count else { try fail("unexpected end of input") }
            guard bytes[position] == start[i] else { try fail(invalidLiteral: word) }
            position += 1
        }
    }
}
