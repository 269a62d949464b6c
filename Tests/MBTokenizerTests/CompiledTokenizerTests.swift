import Foundation
import XCTest
@testable import MBTokenizer

/// What layout versions 2 and 3 of a compiled tokenizer share, as `Formats/model-file.md` (section
/// TKBP) lays it out, independently of the reader's code: the eight u32 header fields, then the byte
/// and fallback id tables; the arrays start at 2080.
protocol CompiledHeader {
    var bytes: [UInt8] { get set }
}

extension CompiledHeader {
    func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }
    mutating func set(_ at: Int, _ value: UInt32) { CompiledLayout.put(&bytes, at, value) }

    var tokenCount: Int { Int(u32(4)) }
    var indexedCount: Int { Int(u32(8)) }
    var mergeCount: Int { Int(u32(12)) }
    var byteLength: Int { Int(u32(16)) }
    var jsonLength: Int { Int(u32(20)) }
    var unknownId: Int { 24 }
    var mergePrefixLength: Int { 28 }
    var byteIds: Int { 32 }
    var fallbackIds: Int { 1056 }
    var arrays: Int { 2080 }
}

/// Field positions in a compiled tokenizer of layout version 2.
struct CompiledLayout: CompiledHeader {
    var bytes: [UInt8]

    static func put(_ bytes: inout [UInt8], _ at: Int, _ value: UInt32) {
        for k in 0..<4 { bytes[at + k] = UInt8(truncatingIfNeeded: value >> (8 * k)) }
    }

    var offsets: Int { arrays }
    var sortedIds: Int { offsets + 4 * (tokenCount + 1) }
    var merges: Int { sortedIds + 4 * indexedCount }
    var tokenBytes: Int { merges + 12 * mergeCount }
    var json: Int { tokenBytes + byteLength }

    func offset(of id: Int) -> Int { Int(u32(offsets + 4 * id)) }
    func token(_ id: Int) -> [UInt8] { Array(bytes[(tokenBytes + offset(of: id))..<(tokenBytes + offset(of: id + 1))]) }
}

/// Layout version 2 (and 1), and what every version shares; version 3 is in `CompiledTokenizerV3Tests`.
final class CompiledTokenizerTests: XCTestCase {
    static let source = "x.mbc (compiled tokenizer)"

    static func load(_ bytes: [UInt8]) throws -> Tokenizer {
        try bytes.withUnsafeBytes { try Tokenizer(compiled: $0, source: source) }
    }

    /// The load fails with an invalid-compiled error naming the source and containing `expected`.
    static func assertRejected(_ bytes: [UInt8], _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try load(bytes), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("\(source): invalid compiled tokenizer: "), message, file: file, line: line)
            XCTAssertTrue(message.contains(expected), "\(message) lacks \(expected)", file: file, line: line)
        }
    }

    private func load(_ bytes: [UInt8]) throws -> Tokenizer { try Self.load(bytes) }

    private func assertRejected(_ bytes: [UInt8], _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        Self.assertRejected(bytes, expected, file: file, line: line)
    }

    private func id(_ token: String) throws -> Int { Int(try XCTUnwrap(Fixtures.tokenizer.id(forToken: token))) }

    // MARK: same tokenizer as the JSON

    func testLookupsMatchTheJSONTokenizer() {
        let json = Fixtures.tokenizer
        // Version 3 sorts the index at load; version 2 reads it from the section.
        for (label, compiled) in [("v2", Fixtures.compiledV2Tokenizer), ("v3", Fixtures.compiledV3Tokenizer)] {
            XCTAssertEqual(compiled.vocabSize, json.vocabSize, label)
            XCTAssertEqual(compiled.specialTokens, json.specialTokens, label)
            var mismatches: [Int32] = []
            for id in Int32(-2)..<Int32(json.vocabSize + 2) {
                let token = json.token(forId: id)
                if compiled.token(forId: id) != token || compiled.isSpecial(id) != json.isSpecial(id) { mismatches.append(id) }
                // Every vocabulary string goes through the compiled form's binary search.
                if let token, compiled.id(forToken: token) != json.id(forToken: token) { mismatches.append(id) }
            }
            XCTAssertEqual(mismatches, [], label)
            for absent in ["", "not a token", "Ġthe\u{0}", "\u{10FFFF}"] {
                XCTAssertNil(compiled.id(forToken: absent), "\(label): \(absent)")
            }
            let all = Array(0..<Int32(json.vocabSize))
            XCTAssertEqual(compiled.decode(all, skipSpecialTokens: false), json.decode(all, skipSpecialTokens: false), label)
        }
    }

    /// The layout as the spec describes it, read field by field.
    func testLayoutFollowsTheSpec() throws {
        let layout = CompiledLayout(bytes: Fixtures.compiledV2)
        XCTAssertEqual(layout.u32(0), 2, "version")
        XCTAssertEqual(layout.tokenCount, 50280)
        XCTAssertEqual(layout.indexedCount, 50280)
        XCTAssertEqual(layout.mergeCount, 50009)
        XCTAssertEqual(layout.u32(layout.unknownId), 0xFFFF_FFFF, "ModernBERT has no unk_token")
        XCTAssertEqual(layout.u32(layout.mergePrefixLength), 0)
        // ModernBERT has no <0xXX> tokens: every fallback id is "none".
        XCTAssertEqual((0..<256).map { layout.u32(layout.fallbackIds + 4 * $0) }, Array(repeating: 0xFFFF_FFFF, count: 256))
        XCTAssertEqual(layout.json + layout.jsonLength, Fixtures.compiledV2.count)
        // Byte 0x20 (space) is spelled "Ġ"; byte 0x41 is "A".
        XCTAssertEqual(Int(layout.u32(layout.byteIds + 4 * 0x20)), try id("Ġ"))
        XCTAssertEqual(Int(layout.u32(layout.byteIds + 4 * 0x41)), try id("A"))
        XCTAssertEqual(layout.token(try id("Ġthe")), Array("Ġthe".utf8))
        // The first merge is "Ġ Ġ" -> "ĠĠ".
        XCTAssertEqual((0..<3).map { Int(layout.u32(layout.merges + 4 * $0)) }, [try id("Ġ"), try id("Ġ"), try id("ĠĠ")])
        let sorted = (0..<layout.indexedCount).map { layout.token(Int(layout.u32(layout.sortedIds + 4 * $0))) }
        XCTAssertTrue(zip(sorted, sorted.dropFirst()).allSatisfy { $0.lexicographicallyPrecedes($1) })
    }

    /// The JSON part is the original file with only `model.vocab` and `model.merges` emptied.
    func testJSONPartIsTheFileWithoutVocabularyAndMerges() throws {
        let original = try [UInt8](Data(contentsOf: Fixtures.url("tokenizer.json")))
        let rest = try CompiledTokenizer.jsonWithoutVocabulary(original, source: "t.json")
        var expected = try XCTUnwrap(try JSONReader.parse(Data(original)) as? [String: Any])
        var model = try XCTUnwrap(expected["model"] as? [String: Any])
        model["vocab"] = [String: Any]()
        model["merges"] = [Any]()
        expected["model"] = model
        let got = try XCTUnwrap(try JSONReader.parse(Data(rest)) as? [String: Any])
        XCTAssertTrue(NSDictionary(dictionary: got).isEqual(to: expected))
        XCTAssertLessThan(rest.count, original.count / 50)
        XCTAssertEqual(Array(Fixtures.compiledV2.suffix(rest.count)), rest)
    }

    /// Only what loads from JSON compiles, with the same error; the empty token (which the compiled
    /// form cannot tell from "no token") is refused, so such a file keeps loading from its JSON.
    func testOnlyLoadableFilesCompile() throws {
        let bert = #"{"normalizer": {"type": "BertNormalizer"}, "pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}}"#
        XCTAssertThrowsError(try Tokenizer.compile(jsonData: Data(bert.utf8), source: "t.json")) { error in
            XCTAssertTrue("\(error)".hasPrefix("t.json: unsupported normalizer 'BertNormalizer'"), "\(error)")
        }
        let empty = #"{"pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {"": 0, "a": 1}, "merges": []}}"#
        XCTAssertNoThrow(try Tokenizer(jsonData: Data(empty.utf8)))
        XCTAssertThrowsError(try Tokenizer.compile(jsonData: Data(empty.utf8), source: "t.json")) { error in
            XCTAssertEqual("\(error)", "t.json: invalid value at 'model.vocab': the empty token cannot be compiled")
        }
    }

    // MARK: damaged sections

    func testTruncatedIsRejected() {
        let full = Fixtures.compiledV2
        assertRejected(Array(full.dropLast()), "the section is \(full.count - 1) bytes but its counts")
        assertRejected(Array(full.prefix(100)), "100 bytes, shorter than the 2080-byte header")
        assertRejected([], "0 bytes")
    }

    func testBadOffsetsAreRejected() throws {
        var layout = CompiledLayout(bytes: Fixtures.compiledV2)
        layout.set(layout.offsets + 4 * 10, 0)
        assertRejected(layout.bytes, "token_offsets[10] = 0 is below token_offsets[9]")

        layout = CompiledLayout(bytes: Fixtures.compiledV2)
        layout.set(layout.offsets + 4 * 10, 0xFFFF_FF00)
        assertRejected(layout.bytes, "token_offsets[10] = 4294967040 is beyond the \(layout.byteLength) token bytes")

        layout = CompiledLayout(bytes: Fixtures.compiledV2)
        layout.set(layout.offsets + 4 * layout.tokenCount, UInt32(layout.byteLength - 1))
        assertRejected(layout.bytes, "token_offsets[\(layout.tokenCount)] is \(layout.byteLength - 1), not the \(layout.byteLength) token bytes")

        // "Ġthe" starts with the two bytes of "Ġ": starting one byte later splits the character.
        layout = CompiledLayout(bytes: Fixtures.compiledV2)
        let the = try id("Ġthe")
        layout.set(layout.offsets + 4 * the, UInt32(layout.offset(of: the) + 1))
        assertRejected(layout.bytes, "token \(the) starts inside a UTF-8 character")

        // One id fewer with a token than the sorted index lists.
        layout = CompiledLayout(bytes: Fixtures.compiledV2)
        layout.set(layout.offsets + 4 * 6, UInt32(layout.offset(of: 5)))
        assertRejected(layout.bytes, "sorted_ids lists 50280 ids but 50279 ids have a token")
    }

    func testOutOfRangeIdsAreRejected() throws {
        var layout = CompiledLayout(bytes: Fixtures.compiledV2)
        layout.set(layout.merges + 4 * 2, UInt32(layout.tokenCount))
        assertRejected(layout.bytes, "merge 0 (\(try id("Ġ")), \(try id("Ġ")), 50280) uses an id without a token")

        layout = CompiledLayout(bytes: Fixtures.compiledV2)
        layout.set(layout.sortedIds + 4 * 3, 0xFFFF_FFF0)
        assertRejected(layout.bytes, "sorted_ids[3] = 4294967280 is not an id with a token")

        layout = CompiledLayout(bytes: Fixtures.compiledV2)
        layout.set(layout.unknownId, UInt32(layout.tokenCount))
        assertRejected(layout.bytes, "unknown_id 50280 is not an id with a token")

        layout = CompiledLayout(bytes: Fixtures.compiledV2)
        layout.set(layout.byteIds + 4 * 0x41, UInt32(try id("B")))
        assertRejected(layout.bytes, "byte_ids[65] is \(try id("B")), but the id of token 'A' is \(try id("A"))")

        layout = CompiledLayout(bytes: Fixtures.compiledV2)
        layout.set(layout.byteIds + 4 * 0x41, 0xFFFF_FFFF)
        assertRejected(layout.bytes, "byte_ids[65] is none, but the id of token 'A' is \(try id("A"))")
    }

    func testBadUTF8IsRejected() throws {
        var layout = CompiledLayout(bytes: Fixtures.compiledV2)
        let the = try id("Ġthe")
        layout.bytes[layout.tokenBytes + layout.offset(of: the) + 1] = 0xFF
        assertRejected(layout.bytes, "token \(the) is not valid UTF-8")
        // An encoded surrogate (U+D800) is not UTF-8 either.
        layout = CompiledLayout(bytes: Fixtures.compiledV2)
        let at = layout.tokenBytes + layout.offset(of: the) + 2
        layout.bytes.replaceSubrange(at..<(at + 3), with: [0xED, 0xA0, 0x80])
        assertRejected(layout.bytes, "token \(the) is not valid UTF-8")
    }

    func testInconsistentIndexAndMergesAreRejected() throws {
        // Two neighbours of the sorted index swapped.
        var layout = CompiledLayout(bytes: Fixtures.compiledV2)
        let first = layout.u32(layout.sortedIds), second = layout.u32(layout.sortedIds + 4)
        layout.set(layout.sortedIds, second)
        layout.set(layout.sortedIds + 4, first)
        assertRejected(layout.bytes, "sorted_ids[1] = \(first) does not sort after sorted_ids[0] = \(second)")

        // Merge 1 is "Ġ t" -> "Ġt"; as "t Ġ" its result is not its parts joined.
        layout = CompiledLayout(bytes: Fixtures.compiledV2)
        layout.set(layout.merges + 12, UInt32(try id("t")))
        layout.set(layout.merges + 16, UInt32(try id("Ġ")))
        assertRejected(layout.bytes, "merge 1: token \(try id("Ġt")) is not token \(try id("t")) followed by token \(try id("Ġ"))")
    }

    func testHeaderAndJSONDamageIsRejected() throws {
        // A continuing-subword prefix length the merges do not follow (merge 0 is "Ġ Ġ" -> "ĠĠ").
        var layout = CompiledLayout(bytes: Fixtures.compiledV2)
        layout.set(layout.mergePrefixLength, 1)
        assertRejected(layout.bytes, "merge 0: token \(try id("ĠĠ")) is not token \(try id("Ġ")) followed by token \(try id("Ġ")) without its first 1 bytes")

        layout = CompiledLayout(bytes: Fixtures.compiledV2)
        layout.bytes[layout.json] = UInt8(ascii: "x")
        assertRejected(layout.bytes, "its tokenizer.json part is not valid JSON")

        // A later layout version: not loadable here, which tells the model file reader to use the JSON.
        layout = CompiledLayout(bytes: Fixtures.compiledV2)
        layout.set(0, 4)
        XCTAssertFalse(layout.bytes.withUnsafeBytes { Tokenizer.canLoadCompiled($0) })
        XCTAssertTrue(Fixtures.compiledV2.withUnsafeBytes { Tokenizer.canLoadCompiled($0) })
        XCTAssertTrue(Fixtures.compiledV3.withUnsafeBytes { Tokenizer.canLoadCompiled($0) })
        assertRejected(layout.bytes, "layout version 4 is not supported by this build (reads 1, 2, 3)")
        // Version 2's arrays read as version 3's do not add up.
        layout = CompiledLayout(bytes: Fixtures.compiledV2)
        layout.set(0, 3)
        assertRejected(layout.bytes, "the section is \(layout.bytes.count) bytes but its counts")
    }

    // MARK: layout versions and character-level models

    /// Version 1 (no fallback_ids, reserved 0 at offset 28), as files written before version 2 hold it,
    /// still loads, and gives the same tokenizer.
    func testVersionOneStillLoads() throws {
        let v2 = Fixtures.compiledV2
        var v1 = Array(v2[0..<1056]) + Array(v2[2080...])
        CompiledLayout.put(&v1, 0, 1)
        let old = try load(v1)
        for text in ["Hello world [MASK]", "héllo\u{301} 漢字 \u{1F600}", "  \n\t x"] {
            XCTAssertEqual(old.encode(text, pair: "pair"), Fixtures.tokenizer.encode(text, pair: "pair"))
        }
        assertRejected(Array(v1.prefix(1500)), "the section is 1500 bytes but its counts")
        // In version 1 offset 28 is reserved.
        CompiledLayout.put(&v1, 28, 2)
        assertRejected(v1, "the reserved header field is 2, not 0")
    }

    /// A byte-fallback vocabulary stores its <0xXX> ids, and a damaged one is refused by name.
    func testFallbackIdsFollowTheSpec() throws {
        let json = try Data(contentsOf: Fixtures.url("families/gemma.json"))
        let tokenizer = try Tokenizer(jsonData: json)
        var layout = CompiledLayout(bytes: try Tokenizer.compile(jsonData: json, layout: .aligned))
        XCTAssertEqual(layout.u32(0), 2)
        for b in [0x00, 0x0A, 0x41, 0xE6, 0xFF] {
            let name = "<0x" + String(b, radix: 16, uppercase: true).leftPadded(to: 2) + ">"
            XCTAssertEqual(Int(layout.u32(layout.fallbackIds + 4 * b)), Int(try XCTUnwrap(tokenizer.id(forToken: name))), name)
        }
        let a = try XCTUnwrap(tokenizer.id(forToken: "<0x41>")), bId = try XCTUnwrap(tokenizer.id(forToken: "<0x42>"))
        layout.set(layout.fallbackIds + 4 * 0x41, UInt32(bId))
        assertRejected(layout.bytes, "fallback_ids[65] is \(bId), but the id of token '<0x41>' is \(a)")
    }

    /// With `continuing_subword_prefix`, merges drop the prefix from their right part: P is stored and checked.
    func testMergePrefixLengthFollowsTheSpec() throws {
        let json = try Data(contentsOf: Fixtures.url("families/subword.json"))
        var layout = CompiledLayout(bytes: try Tokenizer.compile(jsonData: json, layout: .aligned))
        XCTAssertEqual(layout.u32(layout.mergePrefixLength), 2, "\"##\" is two bytes")
        XCTAssertGreaterThan(layout.mergeCount, 100)
        XCTAssertNoThrow(try load(layout.bytes))
        layout.set(layout.mergePrefixLength, 0)
        assertRejected(layout.bytes, "merge 0: token ")
    }

    /// The fixture cut to its first 320 ids and the merges among them (~20 KB compiled, most of it
    /// the added tokens' JSON), small enough to damage every byte.
    /// Flips bits 0 and 7 of every byte of `original` before `end`, one at a time, and loads each
    /// damaged section: a refusal must be the reader's clear error, and a tokenizer that loads must
    /// encode and decode. Returns how many were refused and where the ones that loaded were damaged.
    static func flipEveryByte(of original: [UInt8], below end: Int) -> (refused: Int, loadedAt: [Int]) {
        var bytes = original
        var refused = 0
        var loadedAt: [Int] = []
        for index in 0..<end {
            for pattern: UInt8 in [0x01, 0x80] {
                bytes[index] ^= pattern
                do {
                    let tokenizer = try load(bytes)
                    for text in ["", "Hello world [MASK]", "héllo\u{301} 漢字 \u{1F600}", "  \n\t x"] {
                        _ = tokenizer.decode(tokenizer.encode(text, pair: "pair", maxLength: 7).ids)
                    }
                    loadedAt.append(index)
                } catch {
                    XCTAssertTrue("\(error)".hasPrefix("\(source): invalid compiled tokenizer: "), "\(index): \(error)")
                    refused += 1
                }
                bytes[index] ^= pattern
            }
        }
        return (refused, loadedAt)
    }

    static func smallCompiled(_ layout: Tokenizer.CompiledLayout) throws -> [UInt8] {
        let data = try Data(contentsOf: Fixtures.url("tokenizer.json"))
        var root = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var model = try XCTUnwrap(root["model"] as? [String: Any])
        let vocab = try XCTUnwrap(model["vocab"] as? [String: Int]).filter { $0.value < 320 }
        model["vocab"] = vocab
        model["merges"] = try XCTUnwrap(model["merges"] as? [[String]]).filter {
            vocab[$0[0]] != nil && vocab[$0[1]] != nil && vocab[$0[0] + $0[1]] != nil
        }
        root["model"] = model
        return try Tokenizer.compile(jsonData: JSONSerialization.data(withJSONObject: root), layout: layout)
    }

    /// Flips every byte of the binary part: each damaged section is refused with a clear error or, where
    /// the layout cannot tell (a token's bytes or offsets changed consistently), loads a working tokenizer.
    /// Header, byte ids, sorted index and merges are fully determined, so damage there is always refused.
    func testEveryByteFlipIsRefusedOrHarmless() throws {
        let original = try Self.smallCompiled(.aligned)
        let layout = CompiledLayout(bytes: original)
        XCTAssertGreaterThan(layout.mergeCount, 50)
        let (refused, loadedAt) = Self.flipEveryByte(of: original, below: layout.json)
        let undetectable = layout.offsets..<layout.sortedIds, tokenBytes = layout.tokenBytes..<layout.json
        XCTAssertEqual(loadedAt.filter { !undetectable.contains($0) && !tokenBytes.contains($0) }, [])
        print("compiled tokenizer byte flips: \(refused) refused, \(loadedAt.count) loaded (in offsets or token bytes)")
        XCTAssertGreaterThan(refused, 2 * layout.json * 9 / 10)
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
