import Foundation
@testable import MBTokenizer
import XCTest

/// The tokenizer's JSON parser agrees with the JSON grammar and never traps on bad input.
final class JSONReaderTests: XCTestCase {
    func testValuesAndEscapes() throws {
        let json = #"{"a": [1, -2, 3.5, 1e3, true, false, null], "s": "x\u00e9\n\"\ud83d\ude00\ufeffy", "e": {}}"#
        let root = try XCTUnwrap(try JSONReader.parse(Data(json.utf8)) as? [String: Any])
        let a = try XCTUnwrap(root["a"] as? [Any])
        XCTAssertEqual(a[0] as? Int, 1); XCTAssertEqual(a[1] as? Int, -2)
        XCTAssertEqual(a[2] as? Double, 3.5); XCTAssertEqual(a[3] as? Double, 1000)
        XCTAssertEqual(a[4] as? Bool, true); XCTAssertTrue(a[6] is NSNull)
        // U+FEFF survives (Foundation's JSONSerialization on Linux drops it).
        XCTAssertEqual(root["s"] as? String, "xé\n\"😀\u{FEFF}y")
        XCTAssertEqual((root["e"] as? [String: Any])?.count, 0)
    }

    func testMalformedInputThrows() {
        let bad = ["", "{", "[1,]", "{\"a\" 1}", "\"abc", "tru", "01x", "[1] 2", "\"\\x\"", "\"\\ud800\"",
                   "{\"a\":\u{01}}", "\"\u{01}\"", String(repeating: "[", count: 10_000)]
        for text in bad {
            XCTAssertThrowsError(try JSONReader.parse(Data(text.utf8)), text.prefix(20).description)
        }
        XCTAssertThrowsError(try JSONReader.parse(Data([0x22, 0xFF, 0xFE, 0x22])), "invalid UTF-8")
    }

    /// RFC 8259 numbers only. Leading zeros and a '.' without digits after it were accepted until
    /// this parser and the safetensors header parser shared MBJSON's scanner (the header parser
    /// always refused them); no tokenizer.json in the wild writes them.
    func testNumbersFollowTheJSONGrammar() throws {
        for text in ["01", "-01", "[00]", "1.", #"{"a": 1.e5}"#, "1e", "-", "1.5.2", "+1", ".5"] {
            XCTAssertThrowsError(try JSONReader.parse(Data(text.utf8)), text)
        }
        let values = try XCTUnwrap(try JSONReader.parse(Data("[9223372036854775807, 9223372036854775808, -0, 1E2, 0.5e-1]".utf8)) as? [Any])
        XCTAssertEqual(values[0] as? Int, Int.max)
        XCTAssertEqual(values[1] as? Double, 9_223_372_036_854_775_808)
        XCTAssertEqual(values[2] as? Int, 0)
        XCTAssertEqual(values[3] as? Double, 100)
        XCTAssertEqual(values[4] as? Double, 0.05)
        XCTAssertThrowsError(try JSONReader.parse(Data("[1, -1e400]".utf8))) { error in
            XCTAssertEqual((error as? JSONReader.Failure)?.offset, 4)
            XCTAssertEqual((error as? JSONReader.Failure)?.message, "number -1e400 is out of range")
        }
    }

    func testFailuresCarryTheByteOffset() {
        XCTAssertThrowsError(try JSONReader.parse(Data(#"{"a": [1, 2,]}"#.utf8))) { error in
            XCTAssertEqual((error as? JSONReader.Failure)?.offset, 12)
        }
        XCTAssertThrowsError(try JSONReader.parse(Data(#"{"k": "x\q"}"#.utf8))) { error in
            XCTAssertEqual((error as? JSONReader.Failure)?.description, "invalid escape sequence at byte 9")
        }
    }

    /// The top-level value is at depth 0; a value at depth `maxDepth` (128) is refused.
    func testNestingLimit() {
        func nested(_ depth: Int) -> Data {
            Data((String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)).utf8)
        }
        XCTAssertEqual(JSONReader.maxDepth, 128)
        XCTAssertNoThrow(try JSONReader.parse(nested(127)))
        XCTAssertThrowsError(try JSONReader.parse(nested(128))) { error in
            XCTAssertEqual((error as? JSONReader.Failure)?.offset, 128)
        }
    }
}
