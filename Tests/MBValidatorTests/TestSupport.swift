import Foundation
import MBTestSupport
import MBConverter
import MBFormat
import MBRuntime
import MBValidator
import XCTest

enum Paths {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = repository.appendingPathComponent("Tests/MBRuntimeTests/Fixtures")
    static let bundledModel = repository.appendingPathComponent("Models/mini-pydocs-h256-l6")

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mbconvert-vtests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The `mbconvert` binary (`MBConvertBinary`: next to the test bundle, or `MBCONVERT_BINARY`).
    static func binary() throws -> URL { try MBConvertBinary.url() }

    /// Runs the CLI; returns (exit code, stdout).
    static func run(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// Converts / quantizes a checkpoint once per test.
struct Prepared {
    let dir: URL
    let fp32: URL

    init(_ checkpoint: URL) throws {
        dir = try Paths.temporaryDirectory()
        fp32 = dir.appendingPathComponent("f32.mbc")
        _ = try Converter(directory: checkpoint).convert(to: fp32)
    }

    func quantized(_ options: QuantizationPlan.Options, name: String = "q.mbc") throws -> (URL, Quantizer.Report) {
        let source = try ModelFileTensorSource(url: fp32)
        let out = dir.appendingPathComponent(name)
        let report = try Quantizer(source: source, plan: QuantizationPlan(config: source.config, options: options)).write(to: out)
        return (out, report)
    }
}

/// Deterministic random token ids (fixtures have no tokenizer).
func randomIds(vocab: Int, lengths: [Int], seed: UInt64 = 7) -> [[Int32]] {
    var state = seed
    func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 33
    }
    return lengths.map { n in (0..<n).map { _ in Int32(next() % UInt64(vocab)) } }
}
