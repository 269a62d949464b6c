import Foundation
import XCTest
@testable import MBFormat

final class FormatHardeningTests: XCTestCase {
    /// safetensors does not require alignment (the reference reader accepts any offsets), so an F32
    /// tensor after a 3-byte U8 tensor starts at an odd address. It is accepted and read correctly:
    /// every read is an unaligned load.
    func testUnalignedTensorsAreReadCorrectly() throws {
        let header = #"{"a":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},"b":{"dtype":"F32","shape":[2],"data_offsets":[3,11]}}"#
        let data: [UInt8] = [1, 2, 3] + [Float(1.5), Float(-2)].flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        let dir = try TemporaryDirectory()
        let url = dir.file("unaligned.safetensors")
        try safetensorsBytes(header: header, data: data).write(to: url)
        let file = try SafeTensorsFile(url: url)
        XCTAssertEqual(try file.floats("b"), [1.5, -2])
    }

    /// A zstd section whose frame disagrees with the directory's decoded length is refused before
    /// allocating (a damaged length must not allocate gigabytes).
    func testZstdFrameMustDeclareTheDirectorysLength() throws {
        let frame = try Zstd.compress(Array("hello hello hello".utf8))
        XCTAssertEqual(try frame.withUnsafeBytes { try Zstd.decompress($0, decodedLength: 17) }, Array("hello hello hello".utf8))
        XCTAssertThrowsError(try frame.withUnsafeBytes { try Zstd.decompress($0, decodedLength: 1 << 32) }) { error in
            XCTAssertEqual("\(error)", "zstd: the frame declares 17 bytes, the section directory says 4294967296")
        }
        XCTAssertThrowsError(try [UInt8](repeating: 7, count: 20).withUnsafeBytes { try Zstd.decompress($0, decodedLength: 20) }) { error in
            XCTAssertTrue("\(error)".contains("no content size"), "\(error)")
        }
    }
}
