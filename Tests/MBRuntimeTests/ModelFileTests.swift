import Foundation
import MBConverter
import MBFormat
import MBRuntime
import XCTest

/// The model file round-trips, and damage to it is reported rather than run.
final class ModelFileTests: XCTestCase {
    private func convertedFixture(_ name: String = "mlm-legacy-f32") throws -> (checkpoint: URL, file: URL) {
        let checkpoint = TestPaths.fixtures.appendingPathComponent(name)
        let file = try TestPaths.temporaryDirectory().appendingPathComponent("\(name).mbc")
        _ = try Converter(directory: checkpoint).convert(to: file)
        return (checkpoint, file)
    }

    func testRoundTripPreservesConfigAndTensorBytes() throws {
        let (checkpoint, url) = try convertedFixture("mlm-untied-bf16")
        let file = try ModelFile(url: url)
        let expectedConfig = try HFConfigReader.read(contentsOf: checkpoint.appendingPathComponent("config.json"))
        XCTAssertEqual(file.config, expectedConfig)
        let source = try SafeTensorsCheckpoint(directory: checkpoint)
        XCTAssertEqual(Set(file.tensors.map(\.name)), Set(ModelTensors.expected(for: file.config).map(\.name)))
        for record in file.tensors {
            XCTAssertEqual(record.offset % 64, 0, "\(record.name) alignment")
            let sourceName = source.info("model." + record.name) != nil ? "model." + record.name : record.name
            let reference = try source.floats(sourceName)
                .withUnsafeBytes { Array($0) }
            XCTAssertEqual(Array(file.bytes(of: record)), reference, "\(record.name) bytes")
        }
        XCTAssertEqual(file.verify(), [])
        XCTAssertEqual(Int(file.header.dataOffset) % 4096, 0)
    }

    func testTiedDecoderIsNotStoredTwice() throws {
        let file = try ModelFile(url: try convertedFixture("mlm-legacy-f32").file)
        XCTAssertTrue(file.config.tieWordEmbeddings)
        XCTAssertNil(file.record("decoder.weight"))
        XCTAssertNotNil(file.record("decoder.bias"))
    }

    func testCorruptedHeaderByteIsCaughtOnLoad() throws {
        let url = try convertedFixture().file
        let original = try Data(contentsOf: url)
        let header = try ModelFile(url: url).header
        // One byte in each checksummed region: preamble, directory, and each text section.
        var offsets = [9, 70]
        offsets += header.sections.filter { $0.kind != .data }.map { Int($0.offset + $0.storedLength / 2) }
        for offset in offsets {
            var damaged = original
            damaged[offset] ^= 0x40
            try damaged.write(to: url)
            XCTAssertThrowsError(try ModelFile(url: url), "byte \(offset)") { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(url.path), text)
                XCTAssertTrue(text.contains("checksum") || text.contains("not an mbconvert") || text.contains("version"), text)
            }
        }
    }

    func testCorruptedTensorByteIsNamedByVerify() throws {
        let url = try convertedFixture().file
        var data = try Data(contentsOf: url)
        let file = try ModelFile(url: url)
        let target = try XCTUnwrap(file.record("layers.2.mlp.Wi.weight"))
        data[file.header.dataOffset + Int(target.offset) + 17] ^= 0x01
        try data.write(to: url)
        XCTAssertEqual(try ModelFile(url: url).verify(), ["layers.2.mlp.Wi.weight"])
    }

    func testTruncatedFileIsRefused() throws {
        let url = try convertedFixture().file
        let data = try Data(contentsOf: url)
        for length in [0, 7, 63, 200, data.count / 2, data.count - 1] {
            try data.prefix(length).write(to: url)
            XCTAssertThrowsError(try ModelFile(url: url), "length \(length)") { error in
                XCTAssertTrue("\(error)".contains(url.path))
            }
        }
    }

    func testFileWhoseTensorsDisagreeWithConfigIsRefused() throws {
        let (checkpoint, _) = try convertedFixture()
        // Rewrite the file with one tensor dropped: the header is valid, the model is not.
        let plan = try ConversionPlan(directory: checkpoint)
        let tensors = try plan.tensors { spec, info in
            PendingTensor(record: TensorRecord(name: spec.name, dtype: .f32, shape: spec.shape)) {
                FloatEncoding.f32Bytes(try plan.checkpoint.floats(info.name))
            }
        }.filter { $0.record.name != "layers.1.mlp.Wo.weight" }
        let url = try TestPaths.temporaryDirectory().appendingPathComponent("broken.mbc")
        try ModelFileWriter(config: plan.config, metadata: [:], tokenizerJSON: nil, tokenizerConfigJSON: nil, tensors: tensors).write(to: url)
        XCTAssertThrowsError(try ModernBert(contentsOf: url)) { error in
            XCTAssertTrue("\(error)".contains("layers.1.mlp.Wo.weight"), "\(error)")
        }
    }

    func testBadInputsAreErrorsNotCrashes() throws {
        let model = try ModernBert(contentsOf: try convertedFixture().file)
        XCTAssertThrowsError(try model.forward([[1, 2, 3], []]))
        XCTAssertThrowsError(try model.forward([[1, Int32(model.config.vocabSize)]]))
        XCTAssertThrowsError(try model.forward([[-1]]))
        XCTAssertThrowsError(try model.forward([[Int32](repeating: 5, count: model.config.maxPositions + 1)]))
    }
}
