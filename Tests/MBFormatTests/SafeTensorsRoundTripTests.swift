import Foundation
import XCTest
@testable import MBFormat

final class SafeTensorsRoundTripTests: XCTestCase {
    func testFloatDtypesRoundTripExactly() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("model.safetensors")
        let f32: [Float] = [1.5, -2.0, 65504, .leastNonzeroMagnitude, -0.0, .infinity, 3.14159274]
        var writer = SafeTensorsWriter(metadata: ["format": "pt", "quote\"d": "tab\there"])
        try writer.add(name: "f32", dtype: .f32, shape: [7], floats: f32)
        // Known bit patterns: 1.5, -2.0, 65504 (largest finite), 2^-24 (smallest subnormal), -0.
        try writer.add(name: "f16", dtype: .f16, shape: [5],
                       data: Data(littleEndianBytes([UInt16(0x3E00), 0xC000, 0x7BFF, 0x0001, 0x8000])))
        // BF16 1.5, -2.0, 65536 (65504 rounds up), 2^-133 (smallest subnormal).
        try writer.add(name: "bf16", dtype: .bf16, shape: [2, 2],
                       data: Data(littleEndianBytes([UInt16(0x3FC0), 0xC000, 0x4780, 0x0001])))
        try writer.add(name: "i8", dtype: .i8, shape: [4], data: Data([0x80, 0xFF, 0x00, 0x7F]))
        try writer.add(name: "scalar", dtype: .f32, shape: [], floats: [7])
        try writer.add(name: "empty", dtype: .f16, shape: [0, 3], data: Data())
        try writer.write(to: url)

        let file = try SafeTensorsFile(url: url)
        XCTAssertEqual(file.metadata, ["format": "pt", "quote\"d": "tab\there"])
        XCTAssertEqual(file.headerLength % 8, 0, "header is padded to 8 bytes")
        XCTAssertEqual(file.names, ["bf16", "empty", "f16", "f32", "i8", "scalar"])
        XCTAssertEqual(file.orderedTensors.map(\.name).filter { $0 != "empty" }, ["f32", "f16", "bf16", "i8", "scalar"])

        let readF32 = try file.floats("f32")
        XCTAssertEqual(readF32.map(\.bitPattern), f32.map(\.bitPattern))

        let f16 = try file.floats("f16")
        XCTAssertEqual(f16[0], 1.5)
        XCTAssertEqual(f16[1], -2.0)
        XCTAssertEqual(f16[2], 65504)
        XCTAssertEqual(f16[3], Float(sign: .plus, exponent: -24, significand: 1))
        XCTAssertEqual(f16[4].bitPattern, (-0.0 as Float).bitPattern)

        let bf16 = try file.floats("bf16")
        XCTAssertEqual(bf16, [1.5, -2.0, 65536, Float(sign: .plus, exponent: -133, significand: 1)])
        XCTAssertEqual(file.info("bf16")?.shape, [2, 2])
        XCTAssertEqual(try file.elementCount("bf16"), 4)

        let i8 = try file.rawBytes("i8").map { Int8(bitPattern: $0) }
        XCTAssertEqual(i8, [-128, -1, 0, 127])
        XCTAssertThrowsError(try file.floats("i8")) { error in
            XCTAssertTrue("\(error)".contains("i8") && "\(error)".contains("model.safetensors"), "\(error)")
        }
        XCTAssertEqual(try file.floats("scalar"), [7])
        XCTAssertEqual(try file.elementCount("scalar"), 1)
        XCTAssertEqual(try file.floats("empty"), [])
        XCTAssertThrowsError(try file.rawBytes("nope")) { error in
            XCTAssertTrue("\(error)".contains("nope"))
        }
    }

    func testFloatEncodingRounds() {
        XCTAssertEqual(Float(1.5).bfloat16Bits, 0x3FC0)
        XCTAssertEqual(Float(-2.0).bfloat16Bits, 0xC000)
        XCTAssertEqual(Float(65504).bfloat16Bits, 0x4780)  // ties/rounding up to 65536
        XCTAssertEqual(Float(bitPattern: 0x3F80_8000).bfloat16Bits, 0x3F80)  // tie to even (down)
        XCTAssertEqual(Float(bitPattern: 0x3F81_8000).bfloat16Bits, 0x3F82)  // tie to even (up)
        XCTAssertTrue(Float(bfloat16Bits: Float.nan.bfloat16Bits).isNaN)
        XCTAssertEqual(Float(65504).float16Bits, 0x7BFF)
        XCTAssertEqual(Float(float16Bits: 0x0001), Float(sign: .plus, exponent: -24, significand: 1))
    }

    func testWriterStreamsProducedTensorsAndChecksTheirSize() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("streamed.safetensors")
        var writer = SafeTensorsWriter()
        try writer.add(name: "big", dtype: .u8, shape: [3_000_000]) { out in
            try out.withWritableBytes(count: 3_000_000) { chunk, offset in
                for i in 0..<chunk.count { chunk[i] = UInt8(truncatingIfNeeded: offset + i) }
            }
        }
        try writer.write(to: url)
        let file = try SafeTensorsFile(url: url)
        let bytes = try file.rawBytes("big")
        XCTAssertEqual(bytes.count, 3_000_000)
        XCTAssertEqual(bytes[2_999_999], UInt8(truncatingIfNeeded: 2_999_999))
        XCTAssertEqual(bytes[1_048_577], UInt8(truncatingIfNeeded: 1_048_577))

        var short = SafeTensorsWriter()
        try short.add(name: "liar", dtype: .f32, shape: [4]) { try $0.write(zeros: 8) }
        XCTAssertThrowsError(try short.write(to: dir.file("short.safetensors"))) { error in
            XCTAssertTrue("\(error)".contains("liar"), "\(error)")
        }
        XCTAssertEqual(try dir.contents(), ["streamed.safetensors"], "failed write leaves nothing behind")
    }

    func testWriterRejectsInconsistentTensors() throws {
        var writer = SafeTensorsWriter()
        try writer.add(name: "a", dtype: .f32, shape: [1], data: Data(count: 4))
        XCTAssertThrowsError(try writer.add(name: "a", dtype: .f32, shape: [1], data: Data(count: 4)))
        XCTAssertThrowsError(try writer.add(name: "b", dtype: .f32, shape: [2], data: Data(count: 4)))
        XCTAssertThrowsError(try writer.add(name: "c", dtype: .f32, shape: [-1], data: Data()))
        XCTAssertThrowsError(try writer.add(name: "__metadata__", dtype: .u8, shape: [0], data: Data()))
        XCTAssertThrowsError(try writer.add(name: "d", dtype: .i8, shape: [1], floats: [1]))
    }

    func testHeaderNamesWithEscapesRoundTrip() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("names.safetensors")
        let names = ["quote\"name", "back\\slash", "new\nline", "ctl\u{01}", "unicode é 🙂"]
        var writer = SafeTensorsWriter()
        for name in names { try writer.add(name: name, dtype: .u8, shape: [1], data: Data([1])) }
        try writer.write(to: url)
        XCTAssertEqual(try SafeTensorsFile(url: url).names, names.sorted())
    }
}
