import Foundation
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

    /// The mbconvert binary built next to the test bundle (this target depends on the executable,
    /// so `swift test` always builds it), or the one named by `MBCONVERT_BINARY`. Not finding it
    /// fails the test rather than skipping it, so a broken build cannot pass the CLI tests.
    static func binary() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["MBCONVERT_BINARY"] {
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw BinaryNotFound(description: "MBCONVERT_BINARY=\(path) is not an executable file")
            }
            return URL(fileURLWithPath: path)
        }
        let directories = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(), Bundle.main.bundleURL]
            + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        var candidates: [URL] = []
        for url in directories.map({ $0.appendingPathComponent("mbconvert").standardizedFileURL }) where !candidates.contains(url) {
            candidates.append(url)
        }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) { return found }
        throw BinaryNotFound(description: "the mbconvert binary is not next to the test bundle (looked in "
            + candidates.map(\.path).joined(separator: ", ") + "); `swift test` builds it, or set MBCONVERT_BINARY")
    }

    struct BinaryNotFound: Error, CustomStringConvertible { var description: String }

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
