import Foundation
import MBConverter
import MBFormat
import MBRuntime
import XCTest

/// Every byte of a model file is covered: damage before the data is refused on load, damage in the
/// data is reported by verify (Docs/guarantees.md).
final class ModelFileIntegrityTests: XCTestCase {
    /// Flips every byte before the data section and decodes: each must be refused.
    /// (Padding bytes carry no checksum; the reader requires them to be zero, so they are covered too.)
    func testEveryByteBeforeTheDataIsCheckedOnLoad() throws {
        let original = try Data(contentsOf: HardeningFixtures.tinyModel)
        let header = try ModelFile(url: HardeningFixtures.tinyModel).header
        XCTAssertNotNil(header.section(.tokenizer), "the fixture should exercise every section kind")
        var bytes = [UInt8](original)
        var undetected: [Int] = []
        var padding = 0
        for index in 0..<header.dataOffset {
            // Every byte with its low bit flipped; every seventh byte also inverted entirely.
            for pattern: UInt8 in index % 7 == 0 ? [0x01, 0xFF] : [0x01] {
                bytes[index] ^= pattern
                let result = bytes.withUnsafeBytes { buffer in Result { try ModelFileHeader.decode(buffer, path: "x.mbc") } }
                bytes[index] ^= pattern
                switch result {
                case .success: undetected.append(index)
                case .failure(let error): if "\(error)".contains("padding") { padding += 1 }
                }
            }
        }
        XCTAssertEqual(undetected, [], "flips at these offsets load without error")
        XCTAssertGreaterThan(padding, 0, "some flips should land in (and be caught as) padding")
    }

    /// Flips bytes all over the data section: verify names the damaged tensor (or padding), loading
    /// still succeeds (the header is intact), and `inspect --verify` would exit 1.
    func testEveryDataByteFlipIsReportedByVerify() throws {
        let url = try TestPaths.temporaryDirectory().appendingPathComponent("flip.mbc")
        try FileManager.default.copyItem(at: HardeningFixtures.tinyModel, to: url)
        let original = try Data(contentsOf: url)
        let header = try ModelFile(url: url).header
        let ranges = ModelFileHeader.dataRanges(header.tensors)
        // Both ends of every tensor and of every padding gap, and a random sample in between.
        var indices = Set<Int>()
        var cursor: UInt64 = 0
        for range in ranges + [(start: UInt64(header.dataLength), length: UInt64(0), name: "")] {
            if range.start > cursor { indices.formUnion([cursor, range.start - 1].map { header.dataOffset + Int($0) }) }
            if range.length > 0 { indices.formUnion([range.start, range.start + range.length - 1].map { header.dataOffset + Int($0) }) }
            cursor = max(cursor, range.start + range.length)
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 { indices.insert(Int.random(in: header.dataOffset..<original.count, using: &generator)) }
        var damaged = original
        for index in indices.sorted() {
            damaged[index] ^= 0x20
            try damaged.write(to: url)
            damaged[index] ^= 0x20
            let report = try ModelFile(url: url).verify()
            let local = UInt64(index - header.dataOffset)
            if let owner = ranges.first(where: { local >= $0.start && local < $0.start + $0.length }) {
                XCTAssertEqual(report, [owner.name], "byte \(index)")
            } else {
                XCTAssertEqual(report.count, 1, "byte \(index)")
                XCTAssertTrue(report.first?.hasPrefix("padding at data bytes") ?? false, "byte \(index): \(report)")
            }
        }
        try original.write(to: url)
        XCTAssertEqual(try ModelFile(url: url).verify(), [])
    }

    /// Random single-byte damage in a larger file (1 MB of weights) is named by verify.
    func testRandomDataFlipsInALargerFileAreNamed() throws {
        let url = try TestPaths.temporaryDirectory().appendingPathComponent("large.mbc")
        _ = try Converter(directory: TestPaths.fixtures.appendingPathComponent("mlm-legacy-f32")).convert(to: url)
        let original = try Data(contentsOf: url)
        let header = try ModelFile(url: url).header
        let ranges = ModelFileHeader.dataRanges(header.tensors)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<40 {
            let index = Int.random(in: header.dataOffset..<original.count, using: &generator)
            var damaged = original
            damaged[index] ^= UInt8.random(in: 1...255, using: &generator)
            try damaged.write(to: url)
            let report = try ModelFile(url: url).verify()
            let local = UInt64(index - header.dataOffset)
            let owner = ranges.first { local >= $0.start && local < $0.start + $0.length }?.name
            XCTAssertEqual(report.count, 1, "byte \(index): \(report)")
            if let owner { XCTAssertEqual(report, [owner]) }
        }
    }

    func testNonZeroPaddingIsReportedAsCorruption() throws {
        var bytes = [UInt8](try Data(contentsOf: HardeningFixtures.tinyModel))
        let header = try ModelFile(url: HardeningFixtures.tinyModel).header
        bytes[header.dataOffset - 1] = 7
        XCTAssertThrowsError(try bytes.withUnsafeBytes { try ModelFileHeader.decode($0, path: "p.mbc") }) { error in
            XCTAssertEqual("\(error)", "p.mbc: checksum mismatch in the padding before the data section (byte \(header.dataOffset - 1) is 7, padding must be zero): the file is corrupted")
        }
    }

    func testWrongMagicAndVersionAreNamed() throws {
        var bytes = [UInt8](try Data(contentsOf: HardeningFixtures.tinyModel))
        bytes[8] = 2  // version_major 2 (the minor is what this build writes)
        XCTAssertThrowsError(try bytes.withUnsafeBytes { try ModelFileHeader.decode($0, path: "v.mbc") }) { error in
            XCTAssertTrue("\(error)".contains("version 2.\(ModelFileLayout.versionMinor) is not supported"), "\(error)")
        }
        bytes[0] = UInt8(ascii: "X")
        XCTAssertThrowsError(try bytes.withUnsafeBytes { try ModelFileHeader.decode($0, path: "v.mbc") }) { error in
            XCTAssertTrue("\(error)".contains("not an mbconvert model file"), "\(error)")
        }
    }

    /// A safetensors file handed to the model reader (a renamed file) is refused by its magic.
    func testRenamedSafetensorsIsNotAModelFile() throws {
        XCTAssertThrowsError(try ModelFile(url: HardeningFixtures.tinyCheckpoint.appendingPathComponent("model.safetensors"))) { error in
            XCTAssertTrue("\(error)".contains("not an mbconvert model file"), "\(error)")
        }
    }

    /// Every truncation length of the tiny file is refused on load.
    func testEveryTruncationIsRefused() throws {
        let bytes = [UInt8](try Data(contentsOf: HardeningFixtures.tinyModel))
        for length in 0..<bytes.count {
            let result = bytes[0..<length].withUnsafeBytes { buffer in Result { try ModelFileHeader.decode(buffer, path: "t.mbc") } }
            if case .success = result { XCTFail("a \(length)-byte prefix of a \(bytes.count)-byte file loads") }
        }
    }
}
