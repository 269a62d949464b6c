import Foundation
import MBConverter
import MBFormat

/// Model files made from a committed fixture checkpoint, for tests that need whole models.
enum FixtureModelFiles {
    /// The fixture converted as stored (fp32 for the `-f32` fixtures) and quantized to int8, in a
    /// fresh temporary directory.
    /// `keep`: tensor name patterns left in fp16 (`QuantizationPlan.Options.keep`).
    static func fp32AndInt8(_ fixture: String, keep: [String] = []) throws -> (fp32: URL, int8: URL) {
        let dir = try TestPaths.temporaryDirectory()
        let fp32 = dir.appendingPathComponent("model.mbc"), int8 = dir.appendingPathComponent("int8.mbc")
        _ = try Converter(directory: TestPaths.fixtures.appendingPathComponent(fixture)).convert(to: fp32)
        let source = try ModelFileTensorSource(url: fp32)
        let plan = QuantizationPlan(config: source.config, options: .init(target: .int8, keep: keep))
        _ = try Quantizer(source: source, plan: plan).write(to: int8)
        return (fp32, int8)
    }
}
