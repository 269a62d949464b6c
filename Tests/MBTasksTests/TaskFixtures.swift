import Foundation
import MBConverter
import MBRuntime
import XCTest

/// Fixtures written by `python Scripts/make_golden.py --tasks` (Scripts/task_golden.py), found from #filePath.
enum TaskFixtures {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let directory = repository.appendingPathComponent("Tests/MBTasksTests/Fixtures")
    static let bundledModel = repository.appendingPathComponent("Models/mini-pydocs-h256-l6")

    /// Scores are compared to transformers (fp32) within this absolute tolerance.
    static let tolerance: Float = 1e-4

    nonisolated(unsafe) private static var converted: [String: ModernBert] = [:]
    private static let lock = NSLock()

    /// The fixture (or the bundled model, name "bundled") converted to a model file, once per test run.
    static func model(_ name: String) throws -> ModernBert {
        lock.lock()
        defer { lock.unlock() }
        if let model = converted[name] { return model }
        let source = name == "bundled" ? bundledModel : directory.appendingPathComponent(name)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mbconvert-tasks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let out = dir.appendingPathComponent("\(name).mbc")
        _ = try Converter(directory: source).convert(to: out)
        let model = try ModernBert(contentsOf: out)
        converted[name] = model
        return model
    }

    /// A fixture's golden.json (or a top-level JSON file when `name` ends in .json).
    static func golden(_ name: String) throws -> [String: Any] {
        let url = name.hasSuffix(".json") ? directory.appendingPathComponent(name)
            : directory.appendingPathComponent(name).appendingPathComponent("golden.json")
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }
}

func number(_ any: Any?) -> Float { Float((any as? NSNumber)?.doubleValue ?? .nan) }

func assertClose(_ a: Float, _ b: Float, _ message: String, tolerance: Float = TaskFixtures.tolerance,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertLessThanOrEqual(abs(a - b), tolerance, "\(message): \(a) vs \(b)", file: file, line: line)
}
