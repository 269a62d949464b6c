import Foundation
import MBConverter
import MBFormat
import XCTest

/// Reading sentence-transformers' modules.json and pooling config at conversion.
final class SentenceTransformersConfigTests: XCTestCase {
    private func directory(modules: String?, pooling: [String: Bool]?) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mbconvert-st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("1_Pooling"), withIntermediateDirectories: true)
        if let modules { try Data(modules.utf8).write(to: dir.appendingPathComponent("modules.json")) }
        if let pooling {
            try JSONSerialization.data(withJSONObject: pooling).write(to: dir.appendingPathComponent("1_Pooling/config.json"))
        }
        return dir
    }

    private let transformerAndPooling = """
        [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
         {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
        """

    func testPlainDirectoryHasNone() throws {
        XCTAssertNil(try SentenceTransformersConfig.read(directory: directory(modules: nil, pooling: nil)))
    }

    func testCLSPoolingWithoutNormalize() throws {
        let dir = try directory(modules: transformerAndPooling,
                                pooling: ["pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false])
        XCTAssertEqual(try SentenceTransformersConfig.read(directory: dir), .init(pooling: .cls, normalize: false))
    }

    func testUnsupportedPoolingIsRejected() throws {
        let dir = try directory(modules: transformerAndPooling,
                                pooling: ["pooling_mode_max_tokens": true, "pooling_mode_mean_tokens": false])
        XCTAssertThrowsError(try SentenceTransformersConfig.read(directory: dir)) { error in
            XCTAssertTrue("\(error)".contains("pooling_mode_max_tokens"), "\(error)")
        }
    }

    func testDenseModuleIsRejected() throws {
        let modules = transformerAndPooling.replacingOccurrences(of: "]", with: "") +
            #", {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}]"#
        let dir = try directory(modules: modules, pooling: ["pooling_mode_mean_tokens": true])
        XCTAssertThrowsError(try SentenceTransformersConfig.read(directory: dir))
    }

    func testOldConfigJSONWithoutEmbeddingKeysDecodes() throws {
        let model = try TaskFixtures.model("seqcls-single")
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(model.config)) as? [String: Any])
        XCTAssertNil(json["embeddingPooling"], "absent keys are not written")
        json.removeValue(forKey: "embeddingNormalize")
        let decoded = try JSONDecoder().decode(ModelConfig.self, from: JSONSerialization.data(withJSONObject: json))
        XCTAssertNil(decoded.embeddingPooling)
        XCTAssertEqual(decoded, model.config)
    }
}
