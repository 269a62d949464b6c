import Foundation
import XCTest
@testable import MBFormat

final class SafeTensorsCheckpointTests: XCTestCase {
    private func writeShard(_ url: URL, _ tensors: [(String, [Float])]) throws {
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        for (name, values) in tensors { try writer.add(name: name, dtype: .f32, shape: [values.count], floats: values) }
        try writer.write(to: url)
    }

    private func writeIndex(_ dir: TemporaryDirectory, _ map: [(String, String)]) throws {
        let entries = map.map { "\"\($0.0)\": \"\($0.1)\"" }.joined(separator: ",\n    ")
        let json = "{\n  \"metadata\": {\"total_size\": 20},\n  \"weight_map\": {\n    \(entries)\n  }\n}\n"
        try Data(json.utf8).write(to: dir.file(SafeTensorsCheckpoint.indexFileName))
    }

    private let shard1 = "model-00001-of-00002.safetensors"
    private let shard2 = "model-00002-of-00002.safetensors"

    private func makeSharded() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        try writeShard(dir.file(shard1), [("embeddings.weight", [1, 2, 3]), ("layers.0.w", [4])])
        try writeShard(dir.file(shard2), [("layers.1.w", [5]), ("head.bias", [6, 7])])
        try writeIndex(dir, [("embeddings.weight", shard1), ("layers.0.w", shard1),
                             ("layers.1.w", shard2), ("head.bias", shard2)])
        return dir
    }

    func testShardedRoundTrip() throws {
        let dir = try makeSharded()
        let checkpoint = try SafeTensorsCheckpoint(directory: dir.url)
        XCTAssertEqual(checkpoint.names, ["embeddings.weight", "head.bias", "layers.0.w", "layers.1.w"])
        XCTAssertEqual(checkpoint.files.count, 2)
        XCTAssertEqual(checkpoint.indexMetadata["total_size"], "20")
        XCTAssertEqual(try checkpoint.floats("embeddings.weight"), [1, 2, 3])
        XCTAssertEqual(try checkpoint.floats("head.bias"), [6, 7])
        XCTAssertEqual(checkpoint.source(of: "head.bias")?.lastPathComponent, shard2)
        XCTAssertEqual(checkpoint.info("layers.0.w")?.shape, [1])
        XCTAssertEqual(try checkpoint.rawBytes("layers.1.w").count, 4)
        XCTAssertThrowsError(try checkpoint.floats("missing")) { XCTAssertTrue("\($0)".contains("missing")) }
    }

    func testSingleFileCheckpoint() throws {
        let dir = try TemporaryDirectory()
        try writeShard(dir.file(SafeTensorsCheckpoint.singleFileName), [("w", [1, 2])])
        let checkpoint = try SafeTensorsCheckpoint(directory: dir.url)
        XCTAssertNil(checkpoint.indexURL)
        XCTAssertEqual(checkpoint.names, ["w"])
        XCTAssertEqual(try checkpoint.floats("w"), [1, 2])
    }

    func testMissingCheckpointMentionsPyTorch() throws {
        let dir = try TemporaryDirectory()
        XCTAssertThrowsError(try SafeTensorsCheckpoint(directory: dir.url)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(dir.url.path) && text.contains(".bin") && text.contains("safe_serialization"), text)
        }
    }

    func testIndexErrorsNameIndexAndTensor() throws {
        let dir = try makeSharded()
        try writeIndex(dir, [("embeddings.weight", shard1), ("layers.1.w", "model-00003-of-00002.safetensors")])
        XCTAssertThrowsError(try SafeTensorsCheckpoint(directory: dir.url)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(SafeTensorsCheckpoint.indexFileName) && text.contains("'layers.1.w'")
                          && text.contains("model-00003-of-00002.safetensors") && text.contains("does not exist"), text)
        }

        try writeIndex(dir, [("embeddings.weight", shard1), ("head.bias", shard1)])
        XCTAssertThrowsError(try SafeTensorsCheckpoint(directory: dir.url)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(SafeTensorsCheckpoint.indexFileName) && text.contains("'head.bias'")
                          && text.contains(shard1), text)
        }

        try writeShard(dir.file(shard2), [("layers.1.w", [5]), ("embeddings.weight", [9])])
        try writeIndex(dir, [("embeddings.weight", shard1), ("layers.1.w", shard2)])
        XCTAssertThrowsError(try SafeTensorsCheckpoint(directory: dir.url)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("'embeddings.weight'") && text.contains(shard1) && text.contains(shard2), text)
        }

        try Data("{\"weight_map\": [1]}".utf8).write(to: dir.file(SafeTensorsCheckpoint.indexFileName))
        XCTAssertThrowsError(try SafeTensorsCheckpoint(directory: dir.url)) { error in
            XCTAssertTrue("\(error)".contains(SafeTensorsCheckpoint.indexFileName) && "\(error)".contains("weight_map"), "\(error)")
        }

        try writeIndex(dir, [("x", "../elsewhere.safetensors")])
        XCTAssertThrowsError(try SafeTensorsCheckpoint(directory: dir.url)) { error in
            XCTAssertTrue("\(error)".contains("'x'"), "\(error)")
        }
    }

    func testCorruptShardNamesTheShard() throws {
        let dir = try makeSharded()
        try Data([1, 2, 3]).write(to: dir.file(shard2))
        XCTAssertThrowsError(try SafeTensorsCheckpoint(directory: dir.url)) { error in
            XCTAssertTrue("\(error)".contains(shard2), "\(error)")
        }
    }
}
