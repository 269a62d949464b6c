import Foundation
import XCTest
import MBTokenizer

/// The fixture only exercises `lstrip` (on [MASK]); these cases turn on the other flags on a few
/// tokens and compare with Hugging Face `tokenizers` on the same modified file
/// (add_special_tokens=False). The flags, texts and expected encodings are `flag_tokens` and
/// `flag_cases` of `Fixtures/named-cases.json` (Scripts/make_tokenizer_cases.py).
final class AddedTokenFlagTests: XCTestCase {
    static let tokenizer: Tokenizer = {
        let flags = NamedCases.shared.flag_tokens
        let data = try! Data(contentsOf: Fixtures.url("tokenizer.json"))
        var root = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        var applied = Set<String>()
        root["added_tokens"] = (root["added_tokens"] as! [[String: Any]]).map { token in
            var token = token
            let content = token["content"] as! String
            for (flag, value) in flags[content] ?? [:] {
                token[flag] = value
                applied.insert(content)
            }
            return token
        }
        precondition(applied == Set(flags.keys), "flag_tokens names tokens the fixture does not have: \(Set(flags.keys).subtracting(applied))")
        return try! Tokenizer(jsonData: JSONSerialization.data(withJSONObject: root), source: "flags.json")
    }()

    private func check(prefix: String) {
        let cases = NamedCases.shared.flag_cases.filter { $0.name.hasPrefix(prefix) }
        XCTAssertFalse(cases.isEmpty, "no \(prefix) cases in named-cases.json")
        for c in cases {
            let e = Self.tokenizer.encode(c.text, addSpecialTokens: false)
            XCTAssertEqual(e.ids, c.ids, "\(c.name): \(c.text.debugDescription)")
            XCTAssertEqual(e.offsets.map { [$0.start, $0.end] }, c.offsets, "\(c.name): \(c.text.debugDescription)")
        }
    }

    func testSingleWord() {
        check(prefix: "single-word")
    }

    /// rstrip swallows the spaces, yet matching resumes where the token itself ended, so the spaces
    /// also match the "   " added token: Hugging Face's overlapping result ("rstrip-overlapping-spaces").
    func testStrip() {
        check(prefix: "rstrip")
        check(prefix: "lstrip")
    }
}
