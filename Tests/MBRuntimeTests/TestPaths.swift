import Foundation

/// Locations of committed test data, found from this source file so tests run from any directory.
enum TestPaths {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = repository.appendingPathComponent("Tests/MBRuntimeTests/Fixtures")
    static let bundledModel = repository.appendingPathComponent("Models/mini-pydocs-h256-l6")

    /// The random-init checkpoints written by Scripts/make_golden.py.
    static let smallFixtures = [
        "mlm-legacy-f32", "mlm-untied-bf16", "seqcls-mean-f16", "seqcls-cls-regression",
        "tokcls-f32", "qa-bf16", "base-sharded",
    ]

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mbconvert-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
