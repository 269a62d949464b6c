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
}
