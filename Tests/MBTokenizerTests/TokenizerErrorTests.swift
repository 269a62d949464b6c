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
        assertThrows(try fixtureJSON(replacing: "normalizer", with: ["type": "BertNormalizer"]), "unsupported normalizer 'BertNormalizer'")
        // Inside a Sequence too.
        assertThrows(try fixtureJSON(replacing: "normalizer", with: ["type": "Sequence", "normalizers": [["type": "NFC"], ["type": "StripAccents"]]]),
                     "unsupported normalizer 'StripAccents'")
    }

    func testUnknownPreTokenizerAndDecoder() throws {
        assertThrows(try fixtureJSON(replacing: "pre_tokenizer", with: ["type": "BertPreTokenizer"]), "pre_tokenizer 'BertPreTokenizer'")
        assertThrows(try fixtureJSON(replacing: "pre_tokenizer", with: ["type": "Sequence", "pretokenizers": [["type": "Digits"]]]),
                     "pre_tokenizer 'Digits'")
        assertThrows(try fixtureJSON(replacing: "decoder", with: ["type": "WordPiece"]), "decoder 'WordPiece'")
        assertThrows(try fixtureJSON(replacing: "post_processor", with: ["type": "BertProcessing"]), "post_processor 'BertProcessing'")
    }

    /// Unsupported options of supported components are refused by name too.
    func testUnsupportedOptionsAreNamed() throws {
        assertThrows(try fixtureJSON(replacing: "pre_tokenizer", with: ["type": "Metaspace", "replacement": "▁", "prepend_scheme": "sometimes"]),
                     "Metaspace prepend_scheme 'sometimes'")
        assertThrows(try fixtureJSON(replacing: "pre_tokenizer", with: ["type": "Split", "pattern": ["String": "-"], "behavior": "Scattered", "invert": false]),
                     "split behavior 'Scattered'")
        assertThrows(try fixtureJSON(replacing: "pre_tokenizer", with: ["type": "Sequence", "pretokenizers": [["type": "ByteLevel"], ["type": "WhitespaceSplit"]]]),
                     "ByteLevel followed by other pre-tokenizers")
        var root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("tokenizer.json"))) as? [String: Any])
        var model = try XCTUnwrap(root["model"] as? [String: Any])
        model["dropout"] = 0.1
        root["model"] = model
        assertThrows(try JSONSerialization.data(withJSONObject: root), "model option 'BPE dropout 0.1'")
    }

    func testMissingFile() {
        XCTAssertThrowsError(try Tokenizer(contentsOf: URL(fileURLWithPath: "/nonexistent/tokenizer.json"))) { error in
            XCTAssertTrue(String(describing: error).contains("/nonexistent/tokenizer.json"))
        }
    }
}

/// Inputs found by the libFuzzer targets (Scripts/fuzz.sh) that once crashed; each must now be a clear error.
final class TokenizerFuzzRegressionTests: XCTestCase {
    /// tokenizer-json, out-of-memory: one vocabulary id near 2^31 sized the dense id table to 16 GB.
    func testSparseVocabularyIdIsRefusedNotAllocated() throws {
        let data = try Data(contentsOf: Fixtures.url("fuzz/sparse-vocab-id.json"))
        XCTAssertThrowsError(try Tokenizer(jsonData: data, source: "fuzz.json")) { error in
            XCTAssertTrue("\(error)".contains("far beyond the vocabulary"), "\(error)")
        }
        let json = #"{"pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {"a": 0, "b": 2147483647}, "merges": []}}"#
        XCTAssertThrowsError(try Tokenizer(jsonData: Data(json.utf8), source: "bad.json")) { error in
            XCTAssertTrue("\(error)".contains("bad.json"), "\(error)")
            XCTAssertTrue("\(error)".contains("id 2147483647 is far beyond the vocabulary's 2 entries"), "\(error)")
        }
    }

    /// Malformed shapes of the file: wrong types where objects, arrays and ids belong.
    func testMalformedFieldsAreErrorsNamingTheFile() {
        let cases = [
            #"[]"#, #"null"#, #"{"model": 5}"#,
            #"{"pre_tokenizer": {"type": "ByteLevel"}, "model": {"vocab": [], "merges": []}}"#,
            #"{"pre_tokenizer": {"type": "ByteLevel"}, "model": {"vocab": {"a": -1}, "merges": []}}"#,
            #"{"pre_tokenizer": {"type": "ByteLevel"}, "model": {"vocab": {"a": 1e300}, "merges": []}}"#,
            #"{"pre_tokenizer": {"type": "ByteLevel"}, "model": {"vocab": {"a": 0}, "merges": ["a"]}}"#,
            #"{"pre_tokenizer": {"type": "ByteLevel"}, "model": {"vocab": {"a": 0}, "merges": [["a", "b"]]}}"#,
            #"{"pre_tokenizer": {"type": "ByteLevel"}, "model": {"vocab": {"a": 0}, "merges": []}, "added_tokens": [{"id": "x"}]}"#,
        ]
        for json in cases {
            XCTAssertThrowsError(try Tokenizer(jsonData: Data(json.utf8), source: "bad.json"), json) { error in
                XCTAssertTrue("\(error)".contains("bad.json"), "\(json): \(error)")
            }
        }
    }
}
