import Foundation
import XCTest
@testable import MBFormat

/// Every malformed-file class is crafted byte by byte; each must throw (never trap) with a
/// message naming the file, the tensor when there is one, and the problem.
final class SafeTensorsValidationTests: XCTestCase {
    private var dir: TemporaryDirectory!

    override func setUpWithError() throws { dir = try TemporaryDirectory() }
    override func tearDown() { dir = nil }

    /// Writes `bytes` to `<label>.safetensors`, opens it, and checks the error text.
    private func assertRejected(_ label: String, _ bytes: Data, tensor: String?, mentions keywords: [String] = [],
                                file: StaticString = #filePath, line: UInt = #line) {
        let url = dir.file("bad-\(label).safetensors")
        XCTAssertNoThrow(try bytes.write(to: url), file: file, line: line)
        XCTAssertThrowsError(try SafeTensorsFile(url: url), label, file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(error is SafeTensorsError, "\(label): \(type(of: error))", file: file, line: line)
            XCTAssertTrue(text.contains("bad-\(label).safetensors"), "\(label): no file name in: \(text)", file: file, line: line)
            if let tensor {
                XCTAssertTrue(text.contains("'\(tensor)'"), "\(label): no tensor name in: \(text)", file: file, line: line)
            }
            for keyword in keywords {
                XCTAssertTrue(text.contains(keyword), "\(label): no '\(keyword)' in: \(text)", file: file, line: line)
            }
        }
    }

    private func entry(_ name: String, _ fields: String) -> String { "\"\(name)\":{\(fields)}" }

    func testFileLevelProblems() {
        assertRejected("short", Data([1, 2, 3]), tensor: nil, mentions: ["shorter than"])
        assertRejected("empty", Data(), tensor: nil, mentions: ["0 bytes"])
        var beyond = Data(littleEndianBytes([UInt64(1000)]))
        beyond.append(contentsOf: Array("{}".utf8))
        assertRejected("beyond", beyond, tensor: nil, mentions: ["past the end"])
        var huge = Data(littleEndianBytes([UInt64(200_000_000)]))
        huge.append(contentsOf: Array("{}".utf8))
        assertRejected("huge", huge, tensor: nil, mentions: ["limit"])
        assertRejected("maxlen", Data(littleEndianBytes([UInt64.max])), tensor: nil, mentions: ["limit"])
        assertRejected("utf8", safetensorsBytes(headerBytes: [0x7B, 0xFF, 0x7D]), tensor: nil, mentions: ["UTF-8"])
        assertRejected("json", safetensorsBytes(header: "{\"a\":"), tensor: nil, mentions: ["not valid JSON"])
        assertRejected("trailing-json", safetensorsBytes(header: "{} x"), tensor: nil, mentions: ["not valid JSON"])
        assertRejected("array", safetensorsBytes(header: "[1,2]"), tensor: nil, mentions: ["JSON object", "an array"])
        let deep = String(repeating: "[", count: 100_000)
        assertRejected("deep", safetensorsBytes(header: "{\"a\":\(deep)"), tensor: nil, mentions: ["nesting"])
        assertRejected("metadata", safetensorsBytes(header: "{\"__metadata__\":{\"k\":1}}"), tensor: nil, mentions: ["__metadata__", "'k'"])
    }

    func testMissingAndMistypedFields() {
        let data = [UInt8](repeating: 0, count: 4)
        let cases: [(String, String, [String])] = [
            ("no-dtype", "\"shape\":[1],\"data_offsets\":[0,4]", ["dtype"]),
            ("no-shape", "\"dtype\":\"F32\",\"data_offsets\":[0,4]", ["shape"]),
            ("no-offsets", "\"dtype\":\"F32\",\"shape\":[1]", ["data_offsets"]),
            ("dtype-number", "\"dtype\":5,\"shape\":[1],\"data_offsets\":[0,4]", ["dtype", "a string"]),
            ("shape-string", "\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]", ["shape"]),
            ("offsets-one", "\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4]", ["data_offsets"]),
            ("offsets-float", "\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4.0]", ["data_offsets"]),
            ("repeated-dtype", "\"dtype\":\"U8\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]", ["dtype", "2 times"]),
            ("unknown-dtype", "\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,4]", ["\"F64\"", "not supported"]),
            ("negative-dim", "\"dtype\":\"U8\",\"shape\":[-4],\"data_offsets\":[0,4]", ["negative"]),
            ("fraction-dim", "\"dtype\":\"U8\",\"shape\":[1.5],\"data_offsets\":[0,4]", ["1.5"]),
            ("bool-dim", "\"dtype\":\"U8\",\"shape\":[true],\"data_offsets\":[0,4]", ["true"]),
            ("giant-dim", "\"dtype\":\"U8\",\"shape\":[99999999999999999999999],\"data_offsets\":[0,4]", ["dimension 0"]),
            ("negative-offset", "\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[-1,4]", ["data_offsets"]),
            ("past-end", "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]", ["past the end"]),
            ("reversed", "\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,0]", ["after end"]),
            ("size", "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]", ["needs 8"]),
            ("overflow", "\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]", ["overflow"]),
        ]
        for (label, fields, keywords) in cases {
            assertRejected(label, safetensorsBytes(header: "{\(entry("w.\(label)", fields))}", data: data),
                           tensor: "w.\(label)", mentions: keywords)
        }
        assertRejected("entry-not-object", safetensorsBytes(header: "{\"w\":[1]}"), tensor: "w")
    }

    func testLayoutProblems() {
        let u8 = "\"dtype\":\"U8\",\"shape\":[8]"
        let overlap = "{\(entry("a", u8 + ",\"data_offsets\":[0,8]")),\(entry("b", u8 + ",\"data_offsets\":[4,12]"))}"
        assertRejected("overlap", safetensorsBytes(header: overlap, data: .init(repeating: 0, count: 12)),
                       tensor: "b", mentions: ["overlaps", "'a'"])
        let gap = "{\(entry("a", u8 + ",\"data_offsets\":[0,8]")),\(entry("b", u8 + ",\"data_offsets\":[12,20]"))}"
        assertRejected("gap", safetensorsBytes(header: gap, data: .init(repeating: 0, count: 20)),
                       tensor: "b", mentions: ["8..<12", "belong to no tensor"])
        let late = "{\(entry("a", u8 + ",\"data_offsets\":[4,12]"))}"
        assertRejected("late-start", safetensorsBytes(header: late, data: .init(repeating: 0, count: 12)),
                       tensor: "a", mentions: ["0..<4"])
        let tail = "{\(entry("a", u8 + ",\"data_offsets\":[0,8]"))}"
        assertRejected("tail", safetensorsBytes(header: tail, data: .init(repeating: 0, count: 10)),
                       tensor: nil, mentions: ["8..<10", "end of the data buffer"])
        let duplicate = "{\(entry("a", u8 + ",\"data_offsets\":[0,8]")),\(entry("a", u8 + ",\"data_offsets\":[8,16]"))}"
        assertRejected("duplicate", safetensorsBytes(header: duplicate, data: .init(repeating: 0, count: 16)),
                       tensor: "a", mentions: ["more than once"])
        // The same key spelled with an escape is still the same key.
        let escaped = "{\(entry("ab", u8 + ",\"data_offsets\":[0,8]")),\(entry("\\u0061\\u0062", u8 + ",\"data_offsets\":[8,16]"))}"
        assertRejected("duplicate-escaped", safetensorsBytes(header: escaped, data: .init(repeating: 0, count: 16)),
                       tensor: "ab", mentions: ["more than once"])
    }

    func testAcceptsReferenceQuirks() throws {
        // Entries in any order, unpadded header, zero-sized tensors, null metadata, unknown extra fields.
        let header = "{\"__metadata__\":null,\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[2,4],\"extra\":1},"
            + "\"z\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[2,2]},"
            + "\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}"
        let url = dir.file("quirks.safetensors")
        try safetensorsBytes(header: header, data: [1, 2, 3, 4]).write(to: url)
        let file = try SafeTensorsFile(url: url)
        XCTAssertEqual(file.orderedTensors.map(\.name), ["a", "z", "b"])
        XCTAssertEqual(Array(try file.rawBytes("b")), [3, 4])
        XCTAssertEqual(file.metadata, [:])
    }

    /// Truncations and single-byte corruptions of a valid file must throw or succeed, never trap.
    func testCorruptionsNeverCrash() throws {
        var writer = SafeTensorsWriter(metadata: ["k": "v"])
        try writer.add(name: "a", dtype: .f16, shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])
        try writer.add(name: "b", dtype: .i8, shape: [3], data: Data([1, 2, 3]))
        let good = dir.file("good.safetensors")
        try writer.write(to: good)
        let original = try Data(contentsOf: good)
        let url = dir.file("mutant.safetensors")
        var accepted = 0
        for length in 0..<original.count {
            try original.prefix(length).write(to: url)
            if (try? SafeTensorsFile(url: url)) != nil { accepted += 1 }
        }
        XCTAssertEqual(accepted, 0, "no proper prefix is a valid file")
        for position in 0..<original.count {
            for value: UInt8 in [0x00, 0x22, 0x5C, 0x7B, 0x7D, 0x2D, 0x39, 0xFF] {
                var mutant = original
                mutant[position] = value
                try mutant.write(to: url)
                if let file = try? SafeTensorsFile(url: url) {
                    for name in file.names { _ = try? file.floats(name); _ = try file.rawBytes(name) }
                }
            }
        }
    }

    func testJSONParserDecodesEscapes() throws {
        let value = try HeaderJSONParser.parse(Array(#"{"k\u00e9\ud83d\ude00\n":[1,-0.5e3,true,null,"\/"]}"#.utf8))
        guard case .object(let members) = value, case .array(let items) = members[0].value else {
            return XCTFail("unexpected \(value)")
        }
        XCTAssertEqual(members[0].key, "ké😀\n")
        XCTAssertEqual(items.count, 5)
        XCTAssertEqual(items[0].integerValue, 1)
        XCTAssertNil(items[1].integerValue)
        for bad in [#"{"a":01}"#, #"{"a":"\ud800"}"#, "{\"a\":\"\u{01}\"}", #"{"a":1,}"#, #"{"a" 1}"#, "[-]", "tru"] {
            XCTAssertThrowsError(try HeaderJSONParser.parse(Array(bad.utf8)), bad)
        }
    }

    func testJSONParserReportsOffsetsAndLimitsNesting() {
        XCTAssertThrowsError(try HeaderJSONParser.parse(Array(#"{"a":[1,2,]}"#.utf8))) { error in
            XCTAssertEqual((error as? JSONParseFailure)?.offset, 10)
        }
        XCTAssertThrowsError(try HeaderJSONParser.parse(Array(#"{"a" 1}"#.utf8))) { error in
            XCTAssertEqual((error as? JSONParseFailure)?.message, "expected ':' after an object key")
            XCTAssertEqual((error as? JSONParseFailure)?.offset, 5)
        }
        // The top-level value is at depth 0; a value at depth `maxDepth` (64) is refused.
        func nested(_ depth: Int) -> [UInt8] {
            Array((String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)).utf8)
        }
        XCTAssertEqual(HeaderJSONParser.maxDepth, 64)
        XCTAssertNoThrow(try HeaderJSONParser.parse(nested(63)))
        XCTAssertThrowsError(try HeaderJSONParser.parse(nested(64))) { error in
            XCTAssertEqual((error as? JSONParseFailure)?.offset, 64)
        }
    }
}
