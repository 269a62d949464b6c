extension JSONScanner {
    /// Walks the object at the cursor without building it: `body` gets each key with the cursor on
    /// that key's value, and must read the value. Duplicate keys are passed on as they come; what
    /// they mean is the parser's decision.
    @inlinable
    public mutating func forEachMember(_ body: (inout JSONScanner, String) throws -> Void) throws {
        try expect(UInt8(ascii: "{"), "'{'")
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { try fail("expected a string key") }
            let key = try string()
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':' after an object key")
            skipWhitespace()
            try body(&self, key)
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            try expect(UInt8(ascii: "}"), "',' or '}' in an object")
            return
        }
    }

    /// Walks the array at the cursor without building it: `body` is called with the cursor on
    /// each element, and must read it.
    @inlinable
    public mutating func forEachElement(_ body: (inout JSONScanner) throws -> Void) throws {
        try expect(UInt8(ascii: "["), "'['")
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return }
        while true {
            skipWhitespace()
            try body(&self)
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            try expect(UInt8(ascii: "]"), "',' or ']' in an array")
            return
        }
    }
}
