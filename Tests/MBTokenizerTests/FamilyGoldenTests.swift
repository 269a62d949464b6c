import Foundation
import XCTest
@testable import MBTokenizer

/// Tokenizers beyond ModernBERT's byte-level BPE (byte-fallback SentencePiece-style BPE, Metaspace,
/// Split/WhitespaceSplit, NFKC/Lowercase/Strip, ...), trained with Hugging Face `tokenizers` by
/// `Scripts/make_tokenizer_family_golden.py`. Every case of every family must match the reference's
/// ids, offsets, type ids and decoded text, loaded from JSON and from the compiled form.
final class FamilyGoldenTests: XCTestCase {
    static let families = ["gemma", "llama", "metaspace-first", "metaspace-always", "metaspace-never",
                           "nfkc-lower-strip", "split", "regex-bytelevel", "subword"]

    /// A family case is a golden case whose decoded text is always given.
    typealias Case = GoldenTests.Case

    private struct Line: Decodable {
        var text: Int
        var pair: Int?
        var max_length: Int?
        var ids: [Int32]
        var offsets: [Int]
        var type_ids: [Int32]?
        var decoded: String
    }

    /// Reads `texts.jsonl` and one family's golden file (texts are referred to by line index).
    /// `JSONDecoder`, not `JSONSerialization`: the latter drops a literal U+FEFF on Linux.
    static func load(_ directory: URL, family: String) throws -> [Case] {
        let decoder = JSONDecoder()
        func lines(_ name: String) throws -> [Data] {
            try Data(contentsOf: directory.appendingPathComponent(name))
                .split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).map { Data($0) }
        }
        let texts = try lines("texts.jsonl").map { try decoder.decode(String.self, from: $0) }
        return try lines("\(family).golden.jsonl").enumerated().map { index, data in
            let l = try decoder.decode(Line.self, from: data)
            return Case(line: index + 1, text: texts[l.text], pair: l.pair.map { texts[$0] }, maxLength: l.max_length,
                        ids: l.ids,
                        offsets: stride(from: 0, to: l.offsets.count, by: 2).map {
                            TokenOffset(start: l.offsets[$0], end: l.offsets[$0 + 1])
                        },
                        typeIds: l.type_ids, decoded: l.decoded)
        }
    }

    static var committed: URL { Fixtures.url("families") }

    /// The family's tokenizer from its JSON, and the same file through a compiled (TKBP) round trip
    /// in each layout version.
    static func tokenizers(_ directory: URL, family: String) throws -> [(String, Tokenizer)] {
        let json = try Data(contentsOf: directory.appendingPathComponent("\(family).json"))
        let fromJSON = try Tokenizer(jsonData: json, source: "\(family).json")
        return try [("json", fromJSON)] + [Tokenizer.CompiledLayout.aligned, .compact].map { layout in
            let compiled = try Tokenizer.compile(jsonData: json, source: "\(family).json", layout: layout)
            let kind = "compiled v\(layout.rawValue)"
            return (kind, try compiled.withUnsafeBytes { try Tokenizer(compiled: $0, source: "\(family) (\(kind))") })
        }
    }

    /// Checks every case; returns the number that matched (the caller asserts the count).
    static func check(_ cases: [Case], _ tokenizer: Tokenizer, label: String) -> Int {
        var matched = 0
        var failures: [String] = []
        for c in cases {
            let problems = GoldenTests.problems(c, tokenizer)
            if problems.isEmpty {
                matched += 1
            } else if failures.count < 3 {
                let pair = c.pair.map { " pair=\(String($0.prefix(80)).debugDescription)" } ?? ""
                let limit = c.maxLength.map { " max_length=\($0)" } ?? ""
                failures.append("\(label) line \(c.line): text=\(String(c.text.prefix(200)).debugDescription)\(pair)\(limit)\n  "
                    + problems.joined(separator: "\n  "))
            }
        }
        print("\(label): \(matched)/\(cases.count) cases identical")
        for failure in failures { print("MISMATCH \(failure)") }
        return matched
    }

    func checkFamily(_ family: String, directory: URL = committed, expectedCases: Int? = 100) throws {
        let cases = try Self.load(directory, family: family)
        if let expectedCases { XCTAssertEqual(cases.count, expectedCases, "\(family): golden case count") }
        XCTAssertFalse(cases.isEmpty)
        for (kind, tokenizer) in try Self.tokenizers(directory, family: family) {
            let matched = Self.check(cases, tokenizer, label: "\(family) (\(kind))")
            XCTAssertEqual(matched, cases.count, "\(family) (\(kind)): \(cases.count - matched) cases differ from tokenizers")
        }
    }

    func testGemma() throws { try checkFamily("gemma") }
    func testLlama() throws { try checkFamily("llama") }
    func testMetaspaceFirst() throws { try checkFamily("metaspace-first") }
    func testMetaspaceAlways() throws { try checkFamily("metaspace-always") }
    func testMetaspaceNever() throws { try checkFamily("metaspace-never") }
    func testNFKCLowercaseStrip() throws { try checkFamily("nfkc-lower-strip") }
    func testSplitSequence() throws { try checkFamily("split") }
    func testRegexByteLevel() throws { try checkFamily("regex-bytelevel") }
    func testSubwordPrefixSuffix() throws { try checkFamily("subword") }

    /// The on-demand 262,144-entry Gemma-like vocabulary (`--large DIR`, see the script's usage):
    /// `MB_TOKENIZER_LARGE=DIR swift test ... --filter LargeVocabulary`. Prints load times.
    func testLargeVocabulary() throws {
        guard let path = ProcessInfo.processInfo.environment["MB_TOKENIZER_LARGE"] else {
            throw XCTSkip("set MB_TOKENIZER_LARGE to a directory from make_tokenizer_family_golden.py --large")
        }
        let directory = URL(fileURLWithPath: path)
        let json = try Data(contentsOf: directory.appendingPathComponent("tokenizer.json"))
        func milliseconds<T>(_ body: () throws -> T) rethrows -> (T, Double) {
            let start = ContinuousClock.now
            let value = try body()
            let d = ContinuousClock.now - start
            return (value, Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15)
        }
        let (fromJSON, jsonMs) = try milliseconds { try Tokenizer(jsonData: json, source: "large tokenizer.json") }
        XCTAssertEqual(fromJSON.vocabSize, 262_144)
        var tokenizers = [("json", fromJSON)]
        for layout in [Tokenizer.CompiledLayout.aligned, .compact] {
            let (compiled, compileMs) = try milliseconds { try Tokenizer.compile(jsonData: json, source: "large tokenizer.json", layout: layout) }
            let (fromCompiled, compiledMs) = try milliseconds {
                try compiled.withUnsafeBytes { try Tokenizer(compiled: $0, source: "large (compiled v\(layout.rawValue))") }
            }
            XCTAssertEqual(fromCompiled.vocabSize, 262_144)
            print(String(format: "large vocabulary: tokenizer.json %.1f MB loads in %.0f ms; compiled v%d %.1f MB (compile %.0f ms) loads in %.1f ms",
                         Double(json.count) / 1e6, jsonMs, layout.rawValue, Double(compiled.count) / 1e6, compileMs, compiledMs))
            tokenizers.append(("compiled v\(layout.rawValue)", fromCompiled))
        }
        let decoder = JSONDecoder()
        func lines(_ name: String) throws -> [Data] {
            try Data(contentsOf: directory.appendingPathComponent(name)).split(separator: UInt8(ascii: "\n")).map { Data($0) }
        }
        let texts = try lines("texts.jsonl").map { try decoder.decode(String.self, from: $0) }
        let cases = try lines("golden.jsonl").enumerated().map { index, data -> Case in
            struct Line: Decodable { var text: Int; var pair: Int?; var max_length: Int?; var ids: [Int32]; var offsets: [Int]; var type_ids: [Int32]?; var decoded: String }
            let l = try decoder.decode(Line.self, from: data)
            return Case(line: index + 1, text: texts[l.text], pair: l.pair.map { texts[$0] }, maxLength: l.max_length, ids: l.ids,
                        offsets: stride(from: 0, to: l.offsets.count, by: 2).map { TokenOffset(start: l.offsets[$0], end: l.offsets[$0 + 1]) },
                        typeIds: l.type_ids, decoded: l.decoded)
        }
        XCTAssertEqual(cases.count, texts.count)
        for (kind, tokenizer) in tokenizers {
            XCTAssertEqual(Self.check(cases, tokenizer, label: "large (\(kind))"), cases.count, "large (\(kind))")
        }
    }

    /// Held-out texts for the committed tokenizers (`--seed N --out DIR`, see the script's usage):
    /// `MB_TOKENIZER_FAMILY_GOLDEN=DIR swift test ... --filter FamilyGolden`.
    func testExternalFamilyGoldens() throws {
        guard let path = ProcessInfo.processInfo.environment["MB_TOKENIZER_FAMILY_GOLDEN"] else {
            throw XCTSkip("set MB_TOKENIZER_FAMILY_GOLDEN to a directory from make_tokenizer_family_golden.py --out")
        }
        let directory = URL(fileURLWithPath: path)
        for family in Self.families {
            // The tokenizers are the committed ones unless the directory has its own.
            let own = FileManager.default.fileExists(atPath: directory.appendingPathComponent("\(family).json").path)
            let cases = try Self.load(directory, family: family)
            XCTAssertFalse(cases.isEmpty)
            for (kind, tokenizer) in try Self.tokenizers(own ? directory : Self.committed, family: family) {
                let matched = Self.check(cases, tokenizer, label: "held-out \(family) (\(kind))")
                XCTAssertEqual(matched, cases.count, "held-out \(family) (\(kind))")
            }
        }
    }
}

/// Swift `String` equality is canonical equivalence; tokens are bytes, as in Hugging Face.
final class CanonicalEquivalenceTests: XCTestCase {
    /// "é" (U+00E9) and "e\u{301}" are two tokens; lookups of one never return the other, from JSON or compiled.
    func testCanonicallyEquivalentTokensStayDistinct() throws {
        let json = #"""
        {"normalizer": null, "pre_tokenizer": null, "decoder": {"type": "Fuse"},
         "model": {"type": "BPE", "unk_token": "<unk>", "vocab": {"<unk>": 0, "e": 1, "\u0301": 2, "\u00e9": 3, "e\u0301": 4, "\u00e0": 5},
                   "merges": [["e", "\u0301"]]}}
        """#
        let fromJSON = try Tokenizer(jsonData: Data(json.utf8))
        let fromCompiled = try [Tokenizer.CompiledLayout.aligned, .compact].map { layout in
            try Tokenizer.compile(jsonData: Data(json.utf8), layout: layout).withUnsafeBytes { try Tokenizer(compiled: $0, source: "compiled") }
        }
        for tokenizer in [fromJSON] + fromCompiled {
            XCTAssertEqual(tokenizer.id(forToken: "\u{E9}"), 3)
            XCTAssertEqual(tokenizer.id(forToken: "e\u{301}"), 4)
            XCTAssertNil(tokenizer.id(forToken: "a\u{300}"), "only U+00E0 is in the vocabulary")
            XCTAssertEqual(tokenizer.token(forId: 4)?.unicodeScalars.map(\.value), [0x65, 0x301])
            XCTAssertEqual(tokenizer.encode("e\u{301}\u{E9}a", addSpecialTokens: false).ids, [4, 3, 0])
        }
    }
}
