import Foundation

/// The `mbconvert` binary the CLI tests run: the one `swift test` builds next to the test bundle
/// (MBValidatorTests depends on the executable, so every `swift test` builds it), or the one named by
/// `MBCONVERT_BINARY`. Not finding it fails the test rather than skipping it, so a broken build cannot
/// pass the CLI tests; there is deliberately no fallback to another build directory, whose binary may
/// be stale.
public enum MBConvertBinary {
    public struct NotFound: Error, CustomStringConvertible {
        public var description: String
    }

    public static func url() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["MBCONVERT_BINARY"] {
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw NotFound(description: "MBCONVERT_BINARY=\(path) is not an executable file")
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
        throw NotFound(description: "the mbconvert binary is not next to the test bundle (looked in "
            + candidates.map(\.path).joined(separator: ", ") + "); `swift test` builds it, or set MBCONVERT_BINARY")
    }
}
