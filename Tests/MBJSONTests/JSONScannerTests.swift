import MBJSON
import XCTest

/// The scanner both JSON parsers share: RFC 8259 tokens in, exact values out, and every refusal
/// at the byte that caused it.
final class JSONScannerTests: XCTestCase {
    // MARK: strings

    func testStringsDecodeEveryEscape() throws {
        XCTAssertEqual(try read(#""""#, readString), "")
        XCTAssertEqual(try read(#""plain ascii""#, readString), "plain ascii")
        XCTAssertEqual(try read(#""\"\\\/\b\f\n\r\t""#, readString), "\"\\/\u{08}\u{0C}\n\r\t")
        XCTAssertEqual(try read(#""\u0041\u00e9\u00E9\u20AC""#, readString), "Aéé€")
        // A surrogate pair is one scalar outside the BMP.
        XCTAssertEqual(try read(#""\ud83d\ude00""#, readString).unicodeScalars.map(\.value), [0x1F600])
        // Raw UTF-8 before, between and after escapes, and a raw U+FEFF, survive unchanged.
        XCTAssertEqual(try read("\"é\\n漢\\u0021😀\u{FEFF}\"", readString), "é\n漢!😀\u{FEFF}")
        // DEL is not a control character in JSON.
        XCTAssertEqual(try read("\"\u{7F}\"", readString), "\u{7F}")
    }

    func testStringFailuresPointAtTheOffendingByte() {
        assertFailure(#""abc"#, readString, "unterminated string", at: 4)
        assertFailure(#""ab\"#, readString, "unterminated escape", at: 4)
        assertFailure("\"a\u{01}b\"", readString, "control character", at: 2)
        assertFailure("\"a\\n\tb\"", readString, "control character", at: 4)
        assertFailure(#""a\xb""#, readString, "invalid escape", at: 3)
        assertFailure(#""\u12g4""#, readString, "invalid hex digit", at: 5)
        assertFailure(#""\u12"#, readString, #"unterminated \u escape"#, at: 5)
        // Lone surrogates: a high one with nothing, or something else, after it, and a low one alone.
        assertFailure(#""\ud800""#, readString, "unpaired surrogate", at: 7)
        assertFailure(#""\ud800x""#, readString, "unpaired surrogate", at: 7)
        assertFailure(#""\ud800\u0041""#, readString, "unpaired surrogate", at: 13)
        assertFailure(#""\ud800\ud800""#, readString, "unpaired surrogate", at: 13)
        assertFailure(#""\udc00""#, readString, "unpaired surrogate", at: 7)
    }

    func testInvalidUTF8IsRefusedAtItsFirstByte() {
        let invalid = "invalid UTF-8"
        assertFailure([0x22, 0x61, 0xFF, 0x22], readString, invalid, at: 2)
        assertFailure([0x22, 0xC0, 0xAF, 0x22], readString, invalid, at: 1, "overlong '/'")
        assertFailure([0x22, 0x61, 0xED, 0xA0, 0x80, 0x22], readString, invalid, at: 2, "encoded surrogate")
        assertFailure([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], readString, invalid, at: 1, "above U+10FFFF")
        assertFailure([0x22, 0x61, 0xE2, 0x82, 0x22], readString, invalid, at: 2, "truncated sequence")
        assertFailure([0x22, 0x80, 0x22], readString, invalid, at: 1, "lone continuation byte")
        // After an escape (the slow path), and split by one: the escape must not complete it.
        assertFailure(Array(#""\n"#.utf8) + [0xC3, 0xA9, 0xFF, 0x22], readString, invalid, at: 5)
        assertFailure([0x22, 0xC3, 0x5C, 0x6E, 0xA9, 0x22], readString, invalid, at: 1, "split by an escape")
    }

    // MARK: numbers

    func testNumbersFollowTheGrammar() throws {
        let cases: [(String, Bool)] = [
            ("0", true), ("-0", true), ("7", true), ("1234567890", true), ("-42", true),
            ("0.5", false), ("-0.0", false), ("1e5", false), ("1E+5", false), ("2e-3", false),
            ("-12.75e10", false), ("0e0", false),
        ]
        for (text, isInteger) in cases {
            let literal = try read(text) { try $0.number() }
            XCTAssertEqual(literal.range, 0..<text.utf8.count, text)
            XCTAssertEqual(literal.isInteger, isInteger, text)
        }
        // A number ends at the first byte that cannot continue it.
        let bytes = Array("[-12.5e3,7]".utf8)
        try bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            XCTAssertTrue(scanner.consume(UInt8(ascii: "[")))
            XCTAssertEqual(try scanner.number(), JSONNumberLiteral(range: 1..<8, isInteger: false))
            XCTAssertEqual(scanner.current, UInt8(ascii: ","))
        }
    }

    func testMalformedNumbersAreRefused() {
        assertFailure("-", { try $0.number() }, "invalid number", at: 1)
        assertFailure("-a", { try $0.number() }, "invalid number", at: 1)
        assertFailure("01", { try $0.number() }, "leading zero", at: 1)
        assertFailure("-00", { try $0.number() }, "leading zero", at: 2)
        assertFailure("1.", { try $0.number() }, "digits must follow '.'", at: 2)
        assertFailure("1.e5", { try $0.number() }, "digits must follow '.'", at: 2)
        assertFailure("1e", { try $0.number() }, "digits must follow the exponent", at: 2)
        assertFailure("1e+", { try $0.number() }, "digits must follow the exponent", at: 3)
        assertFailure("1e+-2", { try $0.number() }, "digits must follow the exponent", at: 3)
        // Not numbers at all: refused before any number is read.
        for text in ["+1", ".5", "NaN", "Infinity"] {
            assertFailure(text, { try $0.valueKind() }, "unexpected character", at: 0)
        }
        // Grammatical but with something left over: the document refuses it.
        assertFailure("1.5.2", { try $0.number() }, "unexpected data after the top-level value", at: 3)
        assertFailure("0x1F", { try $0.number() }, "unexpected data after the top-level value", at: 1)
    }

    func testNumberValuesAndText() throws {
        func integer(_ text: String) throws -> Int? {
            try read(text) { scanner in scanner.integerValue(of: try scanner.number()) }
        }
        XCTAssertEqual(try integer("0"), 0)
        XCTAssertEqual(try integer("-0"), 0)
        XCTAssertEqual(try integer("50280"), 50280)
        XCTAssertEqual(try integer("9223372036854775807"), Int.max)
        XCTAssertEqual(try integer("-9223372036854775808"), Int.min)
        XCTAssertNil(try integer("9223372036854775808"))
        XCTAssertNil(try integer("-9223372036854775809"))
        XCTAssertNil(try integer("100000000000000000000"))
        XCTAssertNil(try integer("1.0"))
        XCTAssertNil(try integer("1e2"))
        XCTAssertEqual(try read(" -1.50E+02 ") { scanner in scanner.text(of: try scanner.number()) }, "-1.50E+02")
    }

    // MARK: literals and value kinds

    func testLiterals() throws {
        XCTAssertEqual(try read("true") { try $0.bool() }, true)
        XCTAssertEqual(try read("false") { try $0.bool() }, false)
        XCTAssertNoThrow(try read("null") { try $0.null() })
        assertFailure("tru", { try $0.bool() }, "unexpected end of input", at: 3)
        assertFailure("trUe", { try $0.bool() }, "invalid literal (expected true)", at: 2)
        assertFailure("fals", { try $0.bool() }, "unexpected end of input", at: 4)
        assertFailure("nul1", { try $0.null() }, "invalid literal (expected null)", at: 3)
        assertFailure("truex", { try $0.bool() }, "unexpected data after the top-level value", at: 4)
    }

    func testValueKindFromTheFirstByte() throws {
        let kinds: [(String, JSONValueKind)] = [
            ("{}", .object), ("[]", .array), (#""s""#, .string), ("-1", .number), ("0", .number),
            ("9", .number), ("true", .bool), ("false", .bool), ("null", .null),
        ]
        for (text, kind) in kinds {
            let bytes = Array(text.utf8)
            try bytes.withUnsafeBufferPointer { buffer in
                let scanner = JSONScanner(buffer)
                XCTAssertEqual(try scanner.valueKind(), kind, text)
                XCTAssertEqual(scanner.offset, 0, "valueKind does not move the cursor")
            }
        }
        assertFailure("", { try $0.valueKind() }, "unexpected end of input", at: 0)
        assertFailure("   ", { try $0.valueKind() }, "unexpected end of input", at: 3)
        assertFailure("  x", { try $0.valueKind() }, "unexpected character", at: 2)
        assertFailure("\u{FEFF}{}", { try $0.valueKind() }, "unexpected character", at: 0)
    }

    // MARK: containers and documents

    func testContainersWalkInOrderWithDuplicates() throws {
        let text = #" { "b" : [ 1 , "x" ] , "a":{}, "b":null } "#
        let keys = try read(text) { scanner -> [String] in
            var keys: [String] = []
            try scanner.forEachMember { scanner, key in
                keys.append(key)
                switch try scanner.valueKind() {
                case .array:
                    var count = 0
                    try scanner.forEachElement { scanner in
                        count += 1
                        if try scanner.valueKind() == .number { _ = try scanner.number() } else { _ = try scanner.string() }
                    }
                    XCTAssertEqual(count, 2)
                case .object: try scanner.forEachMember { _, _ in XCTFail("empty object has no members") }
                case .null: try scanner.null()
                default: XCTFail("unexpected kind")
                }
            }
            return keys
        }
        XCTAssertEqual(keys, ["b", "a", "b"])
    }

    func testContainerFailures() {
        let member: (inout JSONScanner) throws -> Void = { scanner in
            try scanner.forEachMember { scanner, _ in _ = try scanner.number() }
        }
        let element: (inout JSONScanner) throws -> Void = { scanner in
            try scanner.forEachElement { scanner in _ = try scanner.number() }
        }
        assertFailure(#"{"a":1,}"#, member, "expected a string key", at: 7)
        assertFailure(#"{1:1}"#, member, "expected a string key", at: 1)
        assertFailure(#"{"a" 1}"#, member, "expected ':' after an object key", at: 5)
        assertFailure(#"{"a":1 "b":2}"#, member, "expected ',' or '}' in an object", at: 7)
        assertFailure(#"{"a":1"#, member, "expected ',' or '}' in an object", at: 6)
        assertFailure("[1,]", element, "invalid number", at: 3)
        assertFailure("[1 2]", element, "expected ',' or ']' in an array", at: 3)
        assertFailure("[", element, "invalid number", at: 1)
        assertFailure("1", element, "expected '['", at: 0)
        assertFailure("[]", member, "expected '{'", at: 0)
    }

    func testDocumentAllowsOnlyWhitespaceAround() throws {
        XCTAssertEqual(try read(" \t\r\n\"x\" \n", readString), "x")
        assertFailure(#""x" "y""#, readString, "unexpected data after the top-level value", at: 4)
        // Form feed and vertical tab are not JSON whitespace.
        assertFailure("\u{0C}\"x\"", readString, "expected '\"'", at: 0)
        assertFailure("\"x\"\u{0B}", readString, "unexpected data after the top-level value", at: 3)
    }

    func testDepthLimitAndErrorDescription() throws {
        let bytes: [UInt8] = Array("[[".utf8)
        try bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            XCTAssertNoThrow(try scanner.checkDepth(2, limit: 3))
            XCTAssertTrue(scanner.consume(UInt8(ascii: "[")))
            XCTAssertThrowsError(try scanner.checkDepth(3, limit: 3)) { error in
                XCTAssertEqual(error as? JSONSyntaxError, JSONSyntaxError("nesting deeper than 3 levels", offset: 1))
            }
        }
        XCTAssertEqual(JSONSyntaxError("unterminated string", offset: 12).description, "unterminated string at byte 12")
    }

    // MARK: helpers

    private let readString: (inout JSONScanner) throws -> String = { try $0.string() }

    /// Reads `text` as a whole document with `body`.
    private func read<T>(_ text: String, _ body: (inout JSONScanner) throws -> T) throws -> T {
        try read(Array(text.utf8), body)
    }

    private func read<T>(_ bytes: [UInt8], _ body: (inout JSONScanner) throws -> T) throws -> T {
        try bytes.withUnsafeBufferPointer { try JSONScanner.parseDocument($0, value: body) }
    }

    private func assertFailure<T>(_ text: String, _ body: (inout JSONScanner) throws -> T, _ message: String, at offset: Int,
                                  _ note: String = "", line: UInt = #line) {
        assertFailure(Array(text.utf8), body, message, at: offset, note, line: line)
    }

    /// Reads `bytes` as a document and expects a refusal that mentions `message` at `offset`.
    private func assertFailure<T>(_ bytes: [UInt8], _ body: (inout JSONScanner) throws -> T, _ message: String, at offset: Int,
                                  _ note: String = "", line: UInt = #line) {
        do {
            let value = try read(bytes, body)
            XCTFail("accepted \(bytes) as \(value) \(note)", line: line)
        } catch let error as JSONSyntaxError {
            XCTAssertTrue(error.message.contains(message), "\(error) should say \(message) \(note)", line: line)
            XCTAssertEqual(error.offset, offset, "\(error) \(note)", line: line)
        } catch {
            XCTFail("unexpected error \(error)", line: line)
        }
    }
}
