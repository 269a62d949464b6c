import Foundation
import XCTest
@testable import MBFormat

final class AtomicFileTests: XCTestCase {
    private struct BodyFailed: Error {}

    func testReplacesDestinationAndLeavesNoTemporaryFiles() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("out.bin")
        try Data("old".utf8).write(to: url)
        try writeAtomically(to: url) { out in
            try out.write(Data("new".utf8))
            XCTAssertEqual(out.position, 3)
        }
        XCTAssertEqual(try Data(contentsOf: url), Data("new".utf8))
        XCTAssertEqual(try dir.contents(), ["out.bin"])
    }

    func testThrowingBodyKeepsOldFileAndRemovesTemporary() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("out.bin")
        try Data("old".utf8).write(to: url)
        XCTAssertThrowsError(try writeAtomically(to: url) { out in
            try out.write(zeros: 5_000_000)  // past the buffer, so bytes really reached the temp file
            throw BodyFailed()
        }) { XCTAssertTrue($0 is BodyFailed) }
        XCTAssertEqual(try Data(contentsOf: url), Data("old".utf8))
        XCTAssertEqual(try dir.contents(), ["out.bin"])

        let fresh = dir.file("never.bin")
        XCTAssertThrowsError(try writeAtomically(to: fresh) { _ in throw BodyFailed() })
        XCTAssertFalse(FileManager.default.fileExists(atPath: fresh.path))
        XCTAssertEqual(try dir.contents(), ["out.bin"])
    }

    func testRefusesToOverwriteAnInput() throws {
        let dir = try TemporaryDirectory()
        let input = dir.file("model.safetensors")
        try Data("input".utf8).write(to: input)
        try FileManager.default.createSymbolicLink(at: dir.file("link.safetensors"), withDestinationURL: input)
        try FileManager.default.linkItem(at: input, to: dir.file("hard.safetensors"))
        try FileManager.default.createDirectory(at: dir.file("sub"), withIntermediateDirectories: false)

        let aliases = [
            input,
            URL(fileURLWithPath: dir.url.path + "/sub/../model.safetensors"),
            URL(fileURLWithPath: dir.url.path + "/./model.safetensors"),
            dir.file("link.safetensors"),
            dir.file("hard.safetensors"),
        ]
        for output in aliases {
            XCTAssertThrowsError(try writeAtomically(to: output, refusingInputs: [input]) { try $0.write(Data("x".utf8)) }) { error in
                guard case AtomicFileError.outputIsInput = error else { return XCTFail("\(output.path): \(error)") }
                XCTAssertTrue("\(error)".contains("model.safetensors"))
            }
        }
        XCTAssertEqual(try Data(contentsOf: input), Data("input".utf8))
        // A different output next to the input is fine.
        try writeAtomically(to: dir.file("other.safetensors"), refusingInputs: [input]) { try $0.write(Data("x".utf8)) }
        XCTAssertEqual(try dir.contents(), ["hard.safetensors", "link.safetensors", "model.safetensors", "other.safetensors", "sub"])
    }

    func testBufferedWriterStreamsLargeAndMixedWrites() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("big.bin")
        let chunk = [UInt8](repeating: 7, count: 3000)
        try writeAtomically(to: url, bufferSize: 4096) { out in
            try out.write(chunk)                       // buffered
            try out.write(zeros: 10_000)               // spans several buffer flushes
            try out.write([UInt8](repeating: 9, count: 9000))  // bypasses the buffer
            try out.write(integer: UInt32(0xAABBCCDD).littleEndian)
            try out.pad(toMultipleOf: 64)
            XCTAssertEqual(out.position % 64, 0)
        }
        let data = try Data(contentsOf: url)
        XCTAssertEqual(data.count, 22_016)
        XCTAssertEqual(data[2999], 7)
        XCTAssertEqual(data[3000], 0)
        XCTAssertEqual(data[12_999], 0)
        XCTAssertEqual(data[13_000], 9)
        XCTAssertEqual(Array(data[22_000..<22_004]), [0xDD, 0xCC, 0xBB, 0xAA])
    }

    func testMissingDirectoryFailsCleanly() throws {
        let dir = try TemporaryDirectory()
        XCTAssertThrowsError(try writeAtomically(to: dir.file("no/such/dir/out.bin")) { _ in }) { error in
            XCTAssertTrue("\(error)".contains("no/such/dir"), "\(error)")
        }
    }
}
