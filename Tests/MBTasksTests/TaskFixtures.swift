import Foundation
import MBConverter
import MBRuntime
import MBTokenizer
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
        let model = try convert(name)
        converted[name] = model
        return model
    }

    private static func convert(_ name: String) throws -> ModernBert {
        let source = name == "bundled" ? bundledModel : directory.appendingPathComponent(name)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mbconvert-tasks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let out = dir.appendingPathComponent("\(name.replacingOccurrences(of: "/", with: "-")).mbc")
        _ = try Converter(directory: source).convert(to: out)
        return try ModernBert(contentsOf: out)
    }

    /// The bundled model's tokenizer, which every task fixture uses.
    static let tokenizer: Tokenizer = try! Tokenizer(contentsOf: bundledModel)

    nonisolated(unsafe) private static var withoutTokenizer: [String: ModernBert] = [:]

    /// The fixture converted without its tokenizer.json (use it with ``tokenizer``): conversion is then
    /// ~0.1 s instead of ~2 s, which is zstd -19 compressing the 3.5 MB tokenizer into the file.
    static func modelWithoutTokenizer(_ name: String) throws -> ModernBert {
        lock.lock()
        defer { lock.unlock() }
        if let model = withoutTokenizer[name] { return model }
        let source = directory.appendingPathComponent(name)
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("mbconvert-tasks-\(UUID().uuidString)")
        try copyTree(source, to: copy, skipping: ["tokenizer.json", "golden.json"])
        let out = copy.appendingPathComponent("model.mbc")
        _ = try Converter(directory: copy).convert(to: out)
        let model = try ModernBert(contentsOf: out)
        withoutTokenizer[name] = model
        return model
    }

    /// Copies a directory tree, following symbolic links.
    static func copyTree(_ source: URL, to destination: URL, skipping: Set<String> = []) throws {
        try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) where !skipping.contains(name) {
            let from = source.appendingPathComponent(name).resolvingSymlinksInPath()
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: from.path, isDirectory: &isDirectory)
            if isDirectory.boolValue {
                try copyTree(from, to: destination.appendingPathComponent(name), skipping: skipping)
            } else {
                try FileManager.default.copyItem(at: from, to: destination.appendingPathComponent(name))
            }
        }
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
