import Foundation
import MBConverter
import MBFormat
import XCTest

/// Converting refuses incomplete checkpoints with errors naming the file and tensor, and never
/// damages what the user already had.
final class ConverterTests: XCTestCase {
    private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("MBRuntimeTests/Fixtures")

    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mbconvert-conv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A copy of a fixture checkpoint with its tensors transformed.
    private func rewrittenCheckpoint(_ name: String, _ edit: (inout [(String, DType, [Int], [Float])]) -> Void) throws -> URL {
        let source = try SafeTensorsCheckpoint(directory: fixtures.appendingPathComponent(name))
        var tensors = try source.names.map { n in (n, DType.f32, source.info(n)!.shape, try source.floats(n)) }
        edit(&tensors)
        let dir = try temporaryDirectory()
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("\(name)/config.json"), to: dir.appendingPathComponent("config.json"))
        var writer = SafeTensorsWriter()
        for (n, dtype, shape, values) in tensors { try writer.add(name: n, dtype: dtype, shape: shape, floats: values) }
        try writer.write(to: dir.appendingPathComponent("model.safetensors"))
        return dir
    }

    /// A tokenizer.json this build cannot load is still stored byte for byte, only without the compiled
    /// section (TKBP): text commands report the problem when they need the tokenizer, as they always did.
    func testUnloadableTokenizerIsStoredWithoutCompiledForm() throws {
        let dir = try rewrittenCheckpoint("mlm-legacy-f32") { _ in }
        let json = Array(#"{"model": {"type": "WordPiece", "vocab": {"a": 0}}}"#.utf8)
        try Data(json).write(to: dir.appendingPathComponent("tokenizer.json"))
        let url = dir.appendingPathComponent("m.mbc")
        _ = try Converter(directory: dir).convert(to: url)
        let bytes = [UInt8](try Data(contentsOf: url))
        try bytes.withUnsafeBytes { file in
            let header = try ModelFileHeader.decode(file, path: url.path)
            XCTAssertNil(header.section(.compiledTokenizer))
            XCTAssertEqual(try ModelFileHeader.decoded(try XCTUnwrap(header.section(.tokenizer)), in: file), json)
        }
    }

    func testMissingTensorIsNamed() throws {
        let dir = try rewrittenCheckpoint("mlm-legacy-f32") { $0.removeAll { $0.0 == "model.layers.3.mlp.Wi.weight" } }
        XCTAssertThrowsError(try Converter(directory: dir).convert(to: dir.appendingPathComponent("out.mbc"))) { error in
            XCTAssertTrue("\(error)".contains("layers.3.mlp.Wi.weight"), "\(error)")
            XCTAssertTrue("\(error)".contains("model.safetensors"), "\(error)")
        }
    }

    func testWrongShapeIsNamed() throws {
        let dir = try rewrittenCheckpoint("mlm-legacy-f32") { tensors in
            let i = tensors.firstIndex { $0.0 == "model.final_norm.weight" }!
            tensors[i].2 = [32, 2]
        }
        XCTAssertThrowsError(try Converter(directory: dir).convert(to: dir.appendingPathComponent("out.mbc"))) { error in
            XCTAssertTrue("\(error)".contains("model.final_norm.weight"), "\(error)")
            XCTAssertTrue("\(error)".contains("[64]"), "\(error)")
        }
    }

    func testUntiedDecoderMissingIsAnError() throws {
        let dir = try rewrittenCheckpoint("mlm-untied-bf16") { $0.removeAll { $0.0 == "decoder.weight" } }
        XCTAssertThrowsError(try Converter(directory: dir).convert(to: dir.appendingPathComponent("out.mbc"))) { error in
            XCTAssertTrue("\(error)".contains("decoder.weight"), "\(error)")
        }
    }

    func testFailedConversionLeavesExistingOutputUntouched() throws {
        let dir = try rewrittenCheckpoint("mlm-legacy-f32") { $0.removeAll { $0.0 == "model.final_norm.weight" } }
        let output = dir.appendingPathComponent("precious.mbc")
        try Data("the user's file".utf8).write(to: output)
        XCTAssertThrowsError(try Converter(directory: dir).convert(to: output))
        XCTAssertEqual(try Data(contentsOf: output), Data("the user's file".utf8))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("tmp") }
        XCTAssertEqual(leftovers, [])
    }

    func testOutputOverAnInputIsRefused() throws {
        let dir = try rewrittenCheckpoint("mlm-legacy-f32") { _ in }
        let input = dir.appendingPathComponent("model.safetensors")
        let before = try Data(contentsOf: input)
        XCTAssertThrowsError(try Converter(directory: dir).convert(to: input))
        XCTAssertEqual(try Data(contentsOf: input), before)
    }

    func testNotADirectoryIsAClearError() throws {
        XCTAssertThrowsError(try Converter(directory: URL(fileURLWithPath: "/nonexistent/model")).convert(to: URL(fileURLWithPath: "/tmp/x.mbc"))) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/model"), "\(error)")
        }
    }
}
