import Foundation
import XCTest
import MBTokenizer

/// The fixture only exercises `lstrip` (on [MASK]); these cases turn on the other flags on
/// a few tokens and compare with what Hugging Face `tokenizers` 0.23.3 returned for the
/// same modified file (add_special_tokens=False).
final class AddedTokenFlagTests: XCTestCase {
    static let tokenizer: Tokenizer = {
        let data = try! Data(contentsOf: Fixtures.url("tokenizer.json"))
        var root = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        root["added_tokens"] = (root["added_tokens"] as! [[String: Any]]).map { token in
            var token = token
            switch token["content"] as! String {
            case "[unused5]", "[PAD]": token["single_word"] = true
            case "[unused6]": token["rstrip"] = true
            case "[unused7]": token["lstrip"] = true; token["rstrip"] = true
            default: break
            }
            return token
        }
        return try! Tokenizer(jsonData: JSONSerialization.data(withJSONObject: root), source: "flags.json")
    }()

    func check(_ text: String, _ ids: [Int32], _ offsets: [[Int]], line: UInt = #line) {
        let e = Self.tokenizer.encode(text, addSpecialTokens: false)
        XCTAssertEqual(e.ids, ids, text.debugDescription, line: line)
        XCTAssertEqual(e.offsets.map { [$0.start, $0.end] }, offsets, text.debugDescription, line: line)
    }

    func testSingleWord() {
        check("a [unused5] b", [66, 209, 50290, 270], [[0, 1], [1, 2], [2, 11], [11, 13]])
        check("a[unused5] b", [66, 60, 328, 3197, 22, 62, 270], [[0, 1], [1, 2], [2, 4], [4, 8], [8, 9], [9, 10], [10, 12]])
        check("x_[unused5]", [89, 14767, 328, 3197, 22, 62], [[0, 1], [1, 3], [3, 5], [5, 9], [9, 10], [10, 11]])
        check("[PAD]x [PAD] 1[PAD]", [60, 41420, 62, 89, 209, 50283, 337, 60, 41420, 62],
              [[0, 1], [1, 4], [4, 5], [5, 6], [6, 7], [7, 12], [12, 14], [14, 15], [15, 18], [18, 19]])
        check("a\u{301}[PAD]", [1757, 60, 41420, 62], [[0, 1], [2, 3], [3, 6], [6, 7]])
    }

    func testStrip() {
        // rstrip swallows the spaces, yet matching resumes where the token itself ended,
        // so the spaces also match the "   " added token: Hugging Face's overlapping result.
        check("a [unused6]   b", [66, 209, 50291, 50275, 67], [[0, 1], [1, 2], [2, 14], [11, 14], [14, 15]])
        check("a  [unused7]  b", [66, 50276, 50292, 50276, 67], [[0, 1], [1, 3], [3, 14], [12, 14], [14, 15]])
        check("[unused7][unused7]", [50292, 50292], [[0, 9], [9, 18]])
    }
}
