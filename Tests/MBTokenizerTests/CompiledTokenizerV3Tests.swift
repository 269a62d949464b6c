import Foundation
import XCTest
@testable import MBTokenizer

/// Field positions in a compiled tokenizer of layout version 3: the header and id tables of version 2
/// (`CompiledHeader`), then byte planes (an array of n u32s as its n lowest bytes, then the n second
/// bytes, ...).
struct PlanedLayout: CompiledHeader {
    var bytes: [UInt8]

    var lengths: Int { arrays }
    var lefts: Int { lengths + 4 * tokenCount }
    var rights: Int { lefts + 4 * mergeCount }
    var mergedDeltas: Int { rights + 4 * mergeCount }
    var tokenBytes: Int { mergedDeltas + 4 * mergeCount }
    var json: Int { tokenBytes + byteLength }

    /// Entry `i` of the `count` planed values at `at`.
    func planed(_ at: Int, count: Int, _ i: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1 * count + i]) << (8 * $1) }
    }
    mutating func setPlaned(_ at: Int, count: Int, _ i: Int, _ value: UInt32) {
        for k in 0..<4 { bytes[at + k * count + i] = UInt8(truncatingIfNeeded: value >> (8 * k)) }
    }

    func length(_ id: Int) -> Int { Int(planed(lengths, count: tokenCount, id)) }
    mutating func setLength(_ id: Int, _ value: Int) { setPlaned(lengths, count: tokenCount, id, UInt32(value)) }
    mutating func setLeft(_ rank: Int, _ value: UInt32) { setPlaned(lefts, count: mergeCount, rank, value) }
    mutating func setRight(_ rank: Int, _ value: UInt32) { setPlaned(rights, count: mergeCount, rank, value) }
    func delta(_ rank: Int) -> UInt32 { planed(mergedDeltas, count: mergeCount, rank) }
    mutating func setDelta(_ rank: Int, _ value: UInt32) { setPlaned(mergedDeltas, count: mergeCount, rank, value) }

    /// Every merge as (left, right, merged), the merged ids summed from their deltas.
    func merges() -> [[UInt32]] {
        var merged: UInt32 = 0
        return (0..<mergeCount).map { rank in
            merged &+= delta(rank)
            return [planed(lefts, count: mergeCount, rank), planed(rights, count: mergeCount, rank), merged]
        }
    }

    /// Token `id`'s bytes (offsets summed from the lengths).
    func token(_ id: Int) -> [UInt8] {
        let start = tokenBytes + (0..<id).reduce(0) { $0 + length($1) }
        return Array(bytes[start..<(start + length(id))])
    }
}

/// Layout version 3: what model files store (zstd) since it exists. It must give the tokenizer the
/// JSON and version 2 give, and be refused by name when damaged. Golden corpora run through it in
/// `GoldenTests` and `FamilyGoldenTests`.
final class CompiledTokenizerV3Tests: XCTestCase {
    private func load(_ bytes: [UInt8]) throws -> Tokenizer { try CompiledTokenizerTests.load(bytes) }

    private func assertRejected(_ bytes: [UInt8], _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        CompiledTokenizerTests.assertRejected(bytes, expected, file: file, line: line)
    }

    private func id(_ token: String) throws -> Int { Int(try XCTUnwrap(Fixtures.tokenizer.id(forToken: token))) }

    /// Read field by field as the spec describes, version 3 holds exactly version 2's content.
    func testLayoutFollowsTheSpecAndHoldsVersionTwosContent() throws {
        let v3 = PlanedLayout(bytes: Fixtures.compiledV3), v2 = CompiledLayout(bytes: Fixtures.compiledV2)
        XCTAssertEqual(v3.u32(0), 3, "version")
        XCTAssertEqual(v3.tokenCount, 50280)
        XCTAssertEqual(v3.indexedCount, 50280, "the number of ids with a token, though no index is stored")
        XCTAssertEqual(v3.mergeCount, 50009)
        XCTAssertEqual(v3.bytes.count, 2080 + 4 * v3.tokenCount + 12 * v3.mergeCount + v3.byteLength + v3.jsonLength)
        // Header fields after the version, byte_ids and fallback_ids: as in version 2.
        XCTAssertEqual(Array(v3.bytes[4..<2080]), Array(v2.bytes[4..<2080]))
        XCTAssertEqual((0..<v3.tokenCount).map { v3.length($0) }, (0..<v2.tokenCount).map { v2.offset(of: $0 + 1) - v2.offset(of: $0) })
        let v2Merges = (0..<v2.mergeCount).map { rank in (0..<3).map { v2.u32(v2.merges + 12 * rank + 4 * $0) } }
        XCTAssertEqual(v3.merges(), v2Merges)
        XCTAssertEqual(Array(v3.bytes[v3.tokenBytes...]), Array(v2.bytes[v2.tokenBytes...]), "token bytes and JSON part")
        XCTAssertEqual(v3.token(try id("Ġthe")), Array("Ġthe".utf8))
        // The first merge is "Ġ Ġ" -> "ĠĠ"; ModernBERT's merged ids are consecutive, so their deltas are 1 after the first.
        XCTAssertEqual(v3.merges()[0].map(Int.init), [try id("Ġ"), try id("Ġ"), try id("ĠĠ")])
        XCTAssertEqual(Set((1..<v3.mergeCount).map { v3.delta($0) }), [1])
    }

    /// The same tokenizer as version 2 in every lookup (the index is sorted at load instead of read).
    func testSortedIndexEqualsTheStoredOne() throws {
        let v2 = Fixtures.compiledV2Tokenizer.encoder.model.vocabulary, v3 = Fixtures.compiledV3Tokenizer.encoder.model.vocabulary
        XCTAssertEqual(v3.sortedIds(), v2.sortedIds())
        XCTAssertEqual(v3.offsets, v2.offsets)
        XCTAssertEqual(Fixtures.compiledV3Tokenizer.encoder.model.rankedMerges, Fixtures.compiledV2Tokenizer.encoder.model.rankedMerges)
        for text in ["Hello world [MASK]", "héllo\u{301} 漢字 \u{1F600}", "  \n\t x"] {
            XCTAssertEqual(Fixtures.compiledV3Tokenizer.encode(text, pair: "pair"), Fixtures.tokenizer.encode(text, pair: "pair"))
        }
    }

    /// The sort that replaces the stored index, against a plain comparison sort of the byte strings
    /// (Swift's `lexicographicallyPrecedes`: unsigned bytes, a proper prefix first): ModernBERT's
    /// vocabulary, tokens that tie on their first 8 bytes (longer tokens, zero bytes, prefixes), and
    /// 20,000 random strings over 4 byte values, which tie often.
    func testSortedIdsFollowBytewiseOrder() throws {
        func reference(_ tokens: [[UInt8]?]) -> [Int32] {
            tokens.indices.filter { !(tokens[$0] ?? []).isEmpty }.map { Int32($0) }
                .sorted { tokens[Int($0)]!.lexicographicallyPrecedes(tokens[Int($1)]!) }
        }
        func computed(_ tokens: [[UInt8]?]) -> [Int32] {
            var bytes: [UInt8] = [], offsets: [UInt32] = [0]
            for token in tokens {
                bytes += token ?? []
                offsets.append(UInt32(bytes.count))
            }
            return Vocabulary.sortedIds(bytes: bytes, offsets: offsets)
        }
        let vocabulary = Fixtures.tokenizer.encoder.model.vocabulary
        let modernBERT = (0..<vocabulary.count).map { Array(vocabulary.bytes[vocabulary.range($0)]) as [UInt8]? }
        XCTAssertEqual(computed(modernBERT), reference(modernBERT))

        let crafted: [[UInt8]?] = ["abcdefgh", "abcdefghi", "abcdefg", "abcdefg\0", "abcdefg\0\0", "abcdefgh\0", "\0", nil, "a",
                                   "abcdefgz", "abcdefghh", "\u{7F}", "", "abcdefgh\u{FF}", "abcdefg\u{1}"].map { $0.map { Array($0.utf8) } }
        XCTAssertEqual(computed(crafted), reference(crafted))
        XCTAssertEqual(computed(crafted).prefix(3), [6, 8, 2], "\\0, a, abcdefg")

        var state: UInt64 = 7
        var seen = Set<[UInt8]>()
        var random: [[UInt8]?] = []
        while random.count < 20_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let length = 1 + Int(state >> 59)
            let token = (0..<length).map { k in [0x00, 0x01, 0x61, 0xFF][Int(state >> (2 * UInt64(k) + 8)) & 3] } as [UInt8]
            if seen.insert(token).inserted { random.append(token) }
        }
        XCTAssertEqual(computed(random), reference(random))
    }

    /// Character-level vocabularies: fallback ids and the continuing-subword prefix length are stored
    /// and checked as in version 2.
    func testCharacterLevelFieldsFollowTheSpec() throws {
        let gemma = try Data(contentsOf: Fixtures.url("families/gemma.json"))
        let tokenizer = try Tokenizer(jsonData: gemma)
        var layout = PlanedLayout(bytes: try Tokenizer.compile(jsonData: gemma))
        XCTAssertEqual(layout.u32(0), 3)
        for b in [0x00, 0x0A, 0x41, 0xFF] {
            let name = "<0x" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true) + ">"
            XCTAssertEqual(Int(layout.u32(layout.fallbackIds + 4 * b)), Int(try XCTUnwrap(tokenizer.id(forToken: name))), name)
        }
        let a = try XCTUnwrap(tokenizer.id(forToken: "<0x41>")), bId = try XCTUnwrap(tokenizer.id(forToken: "<0x42>"))
        layout.set(layout.fallbackIds + 4 * 0x41, UInt32(bId))
        assertRejected(layout.bytes, "fallback_ids[65] is \(bId), but the id of token '<0x41>' is \(a)")

        let subword = try Data(contentsOf: Fixtures.url("families/subword.json"))
        layout = PlanedLayout(bytes: try Tokenizer.compile(jsonData: subword))
        XCTAssertEqual(layout.u32(layout.mergePrefixLength), 2, "\"##\" is two bytes")
        XCTAssertNoThrow(try load(layout.bytes))
        layout.set(layout.mergePrefixLength, 0)
        assertRejected(layout.bytes, "merge 0: token ")
    }

    // MARK: damaged sections

    func testTruncatedIsRejected() {
        let full = Fixtures.compiledV3
        assertRejected(Array(full.dropLast()), "the section is \(full.count - 1) bytes but its counts")
        assertRejected(Array(full.prefix(100_000)), "the section is 100000 bytes but its counts (50280 tokens, 50280 indexed, 50009 merges")
        assertRejected(Array(full.prefix(2000)), "2000 bytes, shorter than the 2080-byte header")
    }

    func testBadLengthsAreRejected() throws {
        var layout = PlanedLayout(bytes: Fixtures.compiledV3)
        layout.setLength(10, layout.length(10) + 1)
        assertRejected(layout.bytes, "token_lengths add up to \(layout.byteLength + 1), not the \(layout.byteLength) token bytes")

        // A high plane: 2^24 more.
        layout = PlanedLayout(bytes: Fixtures.compiledV3)
        layout.bytes[layout.lengths + 3 * layout.tokenCount + 7] = 1
        assertRejected(layout.bytes, "token_lengths add up to \(layout.byteLength + (1 << 24)), not the")

        // The same sum, one byte moved from "Ġthe" to the token before it: "Ġthe" now starts inside "Ġ".
        layout = PlanedLayout(bytes: Fixtures.compiledV3)
        let the = try id("Ġthe")
        layout.setLength(the - 1, layout.length(the - 1) + 1)
        layout.setLength(the, layout.length(the) - 1)
        assertRejected(layout.bytes, "token \(the) starts inside a UTF-8 character")

        // The same sum, token 6's bytes given to token 5: one id fewer has a token than indexed_count says.
        layout = PlanedLayout(bytes: Fixtures.compiledV3)
        layout.setLength(5, layout.length(5) + layout.length(6))
        layout.setLength(6, 0)
        assertRejected(layout.bytes, "indexed_count is 50280 but 50279 ids have a token")
    }

    func testWrongIndexedCountIsRejected() {
        var layout = PlanedLayout(bytes: Fixtures.compiledV3)
        layout.set(8, 50279)
        assertRejected(layout.bytes, "indexed_count is 50279 but 50280 ids have a token")
        layout.set(8, 0)
        assertRejected(layout.bytes, "indexed_count is 0 but 50280 ids have a token")
    }

    func testBadMergesAreRejected() throws {
        // Merge 1 is "Ġ t" -> "Ġt"; as "t Ġ" its result is not its parts joined.
        var layout = PlanedLayout(bytes: Fixtures.compiledV3)
        layout.setLeft(1, UInt32(try id("t")))
        layout.setRight(1, UInt32(try id("Ġ")))
        assertRejected(layout.bytes, "merge 1: token \(try id("Ġt")) is not token \(try id("t")) followed by token \(try id("Ġ"))")

        // One delta off by one: merge 1 names the token after "Ġt" (and every later merge is off too).
        layout = PlanedLayout(bytes: Fixtures.compiledV3)
        layout.setDelta(1, layout.delta(1) + 1)
        assertRejected(layout.bytes, "merge 1: token \(try id("Ġt") + 1) is not token \(try id("Ġ")) followed by token \(try id("t"))")

        // Merged ids wrap modulo 2^32: a first delta of N makes merge 0's merged id N, out of range.
        layout = PlanedLayout(bytes: Fixtures.compiledV3)
        layout.setDelta(0, UInt32(layout.tokenCount))
        assertRejected(layout.bytes, "merge 0 (\(try id("Ġ")), \(try id("Ġ")), 50280) uses an id without a token")

        layout = PlanedLayout(bytes: Fixtures.compiledV3)
        layout.setRight(2, 0xFFFF_FFF0)
        assertRejected(layout.bytes, "merge 2 (")
        assertRejected(layout.bytes, ", 4294967280, ")
    }

    /// Version 2 stored the sorted index and required it strictly increasing; version 3 sorts at load
    /// and requires the same of the result: two ids with the same bytes are refused.
    func testDuplicateTokensAreRejected() throws {
        var layout = PlanedLayout(bytes: Fixtures.compiledV3)
        let a = try id("A"), b = try id("B")
        XCTAssertEqual(layout.token(b), [UInt8(ascii: "B")])
        let at = layout.tokenBytes + (0..<b).reduce(0) { $0 + layout.length($1) }
        layout.bytes[at] = UInt8(ascii: "A")
        assertRejected(layout.bytes, "tokens \(min(a, b)) and \(max(a, b)) are the same bytes (\"A\"); a token has one id")
    }

    func testBadUTF8AndIdsAreRejected() throws {
        var layout = PlanedLayout(bytes: Fixtures.compiledV3)
        let the = try id("Ġthe")
        layout.bytes[layout.tokenBytes + (0..<the).reduce(0) { $0 + layout.length($1) } + 1] = 0xFF
        assertRejected(layout.bytes, "token \(the) is not valid UTF-8")

        layout = PlanedLayout(bytes: Fixtures.compiledV3)
        layout.set(layout.byteIds + 4 * 0x41, UInt32(try id("B")))
        assertRejected(layout.bytes, "byte_ids[65] is \(try id("B")), but the id of token 'A' is \(try id("A"))")

        layout = PlanedLayout(bytes: Fixtures.compiledV3)
        layout.set(layout.unknownId, UInt32(layout.tokenCount))
        assertRejected(layout.bytes, "unknown_id 50280 is not an id with a token")

        layout = PlanedLayout(bytes: Fixtures.compiledV3)
        layout.bytes[layout.json] = UInt8(ascii: "x")
        assertRejected(layout.bytes, "its tokenizer.json part is not valid JSON")
    }

    /// Flips every byte of the binary part of a small version 3 section. With lengths instead of
    /// offsets and no stored index, only damage to the token bytes themselves can go unnoticed: a
    /// length change breaks their sum, a merge column change breaks a merge.
    func testEveryByteFlipIsRefusedOrHarmless() throws {
        let original = try CompiledTokenizerTests.smallCompiled(.compact)
        let layout = PlanedLayout(bytes: original)
        XCTAssertEqual(layout.u32(0), 3)
        XCTAssertGreaterThan(layout.mergeCount, 50)
        let (refused, loadedAt) = CompiledTokenizerTests.flipEveryByte(of: original, below: layout.json)
        XCTAssertEqual(loadedAt.filter { !(layout.tokenBytes..<layout.json).contains($0) }, [])
        print("compiled tokenizer v3 byte flips: \(refused) refused, \(loadedAt.count) loaded (in token bytes)")
        XCTAssertGreaterThan(refused, 2 * layout.json * 9 / 10)
    }
}
