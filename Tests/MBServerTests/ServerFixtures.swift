import Foundation
import MBConverter
import MBFormat
import MBRuntime
import MBServer
import XCTest

/// Model files made once per test run from the committed task fixtures (random-init, real tokenizer).
enum ServerFixtures {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = repository.appendingPathComponent("Tests/MBTasksTests/Fixtures")

    nonisolated(unsafe) private static var files: [String: URL] = [:]
    private static let lock = NSLock()

    /// The fixture converted as stored, or quantized to int8 when `int8`.
    static func file(_ name: String, int8: Bool = false) throws -> URL {
        lock.lock()
        defer { lock.unlock() }
        let key = name + (int8 ? ":int8" : "")
        if let url = files[key] { return url }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mbconvert-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let plain = dir.appendingPathComponent("\(name).mbc")
        _ = try Converter(directory: fixtures.appendingPathComponent(name)).convert(to: plain)
        files[name] = plain
        guard int8 else { return plain }
        let quantized = dir.appendingPathComponent("\(name)-int8.mbc")
        let source = try ModelFileTensorSource(url: plain)
        _ = try Quantizer(source: source, plan: QuantizationPlan(config: source.config, options: .init(target: .int8))).write(to: quantized)
        files[key] = quantized
        return quantized
    }

    /// A started service on a fixture; stop it when done.
    static func service(_ name: String, int8: Bool = false, mode: ExecutionMode = .w8a32,
                        _ configure: (inout ServerConfiguration) -> Void = { _ in }) throws -> InferenceService {
        let model = try ModernBert(contentsOf: try file(name, int8: int8), mode: mode)
        var configuration = ServerConfiguration()
        configuration.modelID = name
        configure(&configuration)
        let service = InferenceService(served: try ServedModel(model: model, configuration: configuration),
                                       configuration: configuration)
        service.start()
        return service
    }
}

extension InferenceService {
    /// Posts a JSON object (or raw text) to a route.
    func post(_ route: Route, _ json: Any) async -> RouteResponse {
        let body = (json as? String).map { Data($0.utf8) } ?? (try! JSONSerialization.data(withJSONObject: json))
        return await handle(route, body: body)
    }
}

extension RouteResponse {
    var json: Any? { try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }
    var errorType: String? { (json as? [String: Any])?["error_type"] as? String }
    var floats: [[Float]] { (json as? [[Double]] ?? []).map { $0.map(Float.init) } }
}

/// Largest absolute difference of two equally shaped matrices (infinity when the shapes differ).
func maxDifference(_ a: [[Float]], _ b: [[Float]]) -> Float {
    guard a.count == b.count, zip(a, b).allSatisfy({ $0.count == $1.count }) else { return .infinity }
    return zip(a, b).map { zip($0, $1).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
}
