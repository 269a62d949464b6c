import Foundation
import XCTest
@testable import MBTokenizer

/// Compares against ids and offsets produced by Hugging Face `tokenizers`
/// (`Scripts/make_tokenizer_golden.py`). Every case must match exactly, with the tokenizer loaded
/// from `tokenizer.json` and from its compiled form (a model file's TKBP section).
final class GoldenTests: XCTestCase {
    struct Case {
        var line: Int
        var text: String
        var pair: String?
        var maxLength: Int?
        var ids: [Int32]
        var offsets: [TokenOffset]
        var typeIds: [Int32]?
        var decoded: String?
    }

    /// One line as written by the script.
    private struct Line: Decodable {
        var text: String
        var pair: String?
        var max_length: Int?
        var ids: [Int32]
        var offsets: [Int]
        var type_ids: [Int32]?
        var decoded: String?
    }

    /// Uses `JSONDecoder`: on Linux, `JSONSerialization` silently drops a literal U+FEFF
    /// inside strings, which would corrupt texts that contain one.
    static func load(_ url: URL) throws -> [Case] {
        let data = try Data(contentsOf: url)
        let decoder = JSONDecoder()
        var cases: [Case] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.isEmpty { continue }
            let l = try decoder.decode(Line.self, from: Data(line))
            let flat = l.offsets
            cases.append(Case(
                line: lineNumber, text: l.text, pair: l.pair, maxLength: l.max_length, ids: l.ids,
                offsets: stride(from: 0, to: flat.count, by: 2).map { TokenOffset(start: flat[$0], end: flat[$0 + 1]) },
                typeIds: l.type_ids, decoded: l.decoded))
        }
        return cases
    }

    /// What differs between the tokenizer's output and one golden case: ids, offsets, type ids and
    /// (when the case has one) the decoded text; empty when the case matches.
    static func problems(_ c: Case, _ tokenizer: Tokenizer) -> [String] {
        let encoding = tokenizer.encode(c.text, pair: c.pair, maxLength: c.maxLength)
        var problems: [String] = []
        if encoding.ids != c.ids { problems.append("ids\n    got      \(encoding.ids)\n    expected \(c.ids)") }
        if encoding.offsets != c.offsets {
            problems.append("offsets\n    got      \(encoding.offsets)\n    expected \(c.offsets)")
        }
        if let typeIds = c.typeIds, typeIds != encoding.typeIds { problems.append("type ids") }
        if let decoded = c.decoded {
            let got = tokenizer.decode(c.ids)
            if got != decoded { problems.append("decode\n    got      \(got.debugDescription)\n    expected \(decoded.debugDescription)") }
        }
        return problems
    }

    func check(_ url: URL, label: String, tokenizer: Tokenizer = Fixtures.tokenizer) throws {
        let cases = try Self.load(url)
        var matched = 0
        var decodedChecked = 0
        var failures: [String] = []
        for c in cases {
            let problems = Self.problems(c, tokenizer)
            if c.decoded != nil { decodedChecked += 1 }
            if problems.isEmpty {
                matched += 1
            } else if failures.count < 5 {
                let shown = String(c.text.prefix(300)).debugDescription
                let pair = c.pair.map { " pair=\(String($0.prefix(100)).debugDescription)" } ?? ""
                let limit = c.maxLength.map { " max_length=\($0)" } ?? ""
                failures.append("line \(c.line): text=\(shown)\(pair)\(limit)\n  " + problems.joined(separator: "\n  "))
            }
        }
        let percent = cases.isEmpty ? 0 : Double(matched) * 100 / Double(cases.count)
        print("\(label): \(matched)/\(cases.count) cases identical (\(String(format: "%.2f", percent))%), \(decodedChecked) decodes checked")
        for failure in failures { print("MISMATCH \(failure)") }
        XCTAssertFalse(cases.isEmpty)
        XCTAssertEqual(matched, cases.count, "\(cases.count - matched) golden cases differ; first: \(failures.first ?? "")")
    }

    func testGoldenCorpus() throws {
        try check(Fixtures.url("golden.jsonl"), label: "golden")
    }

    func testGoldenCorpusCompiled() throws {
        try check(Fixtures.url("golden.jsonl"), label: "golden (compiled v2)", tokenizer: Fixtures.compiledV2Tokenizer)
        try check(Fixtures.url("golden.jsonl"), label: "golden (compiled v3)", tokenizer: Fixtures.compiledV3Tokenizer)
    }

    /// Held-out data: `MB_TOKENIZER_GOLDEN=/tmp/heldout.jsonl swift test ...` checks a file
    /// generated with another seed, to confirm the implementation is not tuned to the fixture.
    func testExternalGoldenFile() throws {
        guard let path = ProcessInfo.processInfo.environment["MB_TOKENIZER_GOLDEN"] else {
            throw XCTSkip("set MB_TOKENIZER_GOLDEN to a file from make_tokenizer_golden.py")
        }
        try check(URL(fileURLWithPath: path), label: "external \(path)")
        try check(URL(fileURLWithPath: path), label: "external \(path) (compiled v2)", tokenizer: Fixtures.compiledV2Tokenizer)
        try check(URL(fileURLWithPath: path), label: "external \(path) (compiled v3)", tokenizer: Fixtures.compiledV3Tokenizer)
    }
}
