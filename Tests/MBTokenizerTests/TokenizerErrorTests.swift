import Foundation
import XCTest
import MBTokenizer

final class TokenizerErrorTests: XCTestCase {
    /// The fixture's JSON with one top-level field replaced.
    func fixtureJSON(replacing key: String, with value: Any?) throws -> Data {
        let data = try Data(contentsOf: Fixtures.url("tokenizer.json"))
        var root = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        root[key] = value ?? NSNull()
        return try JSONSerialization.data(withJSONObject: root)
    }

    func assertThrows(_ data: Data, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Tokenizer(jsonData: data, source: "bad.json"), file: file, line: line) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("bad.json"), message, file: file, line: line)
            XCTAssertTrue(message.contains(expected), "\(message) lacks \(expected)", file: file, line: line)
        }
    }

    func testInvalidJSON() {
        assertThrows(Data("{ not json".utf8), "not valid JSON")
    }

    func testMissingModel() throws {
        assertThrows(try fixtureJSON(replacing: "model", with: nil), "'model'")
    }

    func testUnknownNormalizer() throws {
        assertThrows(try fixtureJSON(replacing: "normalizer", with: ["type": "Lowercase"]), "unsupported normalizer 'Lowercase'")
    }

    func testUnknownPreTokenizerAndDecoder() throws {
        assertThrows(try fixtureJSON(replacing: "pre_tokenizer", with: ["type": "Whitespace"]), "pre_tokenizer 'Whitespace'")
        assertThrows(try fixtureJSON(replacing: "decoder", with: ["type": "WordPiece"]), "decoder 'WordPiece'")
        assertThrows(try fixtureJSON(replacing: "post_processor", with: ["type": "BertProcessing"]), "post_processor 'BertProcessing'")
    }

    func testMissingFile() {
        XCTAssertThrowsError(try Tokenizer(contentsOf: URL(fileURLWithPath: "/nonexistent/tokenizer.json"))) { error in
            XCTAssertTrue(String(describing: error).contains("/nonexistent/tokenizer.json"))
        }
    }
}
