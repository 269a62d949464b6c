import Foundation
import MBConverter
import MBFormat
import MBRuntime
import XCTest

/// Reading sentence-transformers directories (2.x to 6.x layouts) at conversion, and what is refused.
final class SentenceTransformersConfigTests: XCTestCase {
    private func directory(modules: String?, pooling: [String: Any]?, files: [String: String] = [:]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mbconvert-st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("1_Pooling"), withIntermediateDirectories: true)
        if let modules { try Data(modules.utf8).write(to: dir.appendingPathComponent("modules.json")) }
        if let pooling {
            try JSONSerialization.data(withJSONObject: pooling).write(to: dir.appendingPathComponent("1_Pooling/config.json"))
        }
        for (path, content) in files {
            let url = dir.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content.utf8).write(to: url)
        }
        return dir
    }

    private func modules(_ extra: [String] = [], old: Bool = true) -> String {
        let transformer = old ? "sentence_transformers.models.Transformer" : "sentence_transformers.base.modules.transformer.Transformer"
        let pooling = old ? "sentence_transformers.models.Pooling" : "sentence_transformers.sentence_transformer.modules.pooling.Pooling"
        let all = [#"{"idx": 0, "name": "0", "path": "", "type": "\#(transformer)"}"#,
                   #"{"idx": 1, "name": "1", "path": "1_Pooling", "type": "\#(pooling)"}"#] + extra
        return "[" + all.joined(separator: ", ") + "]"
    }

    private func dense(_ index: Int, old: Bool = true) -> String {
        let type = old ? "sentence_transformers.models.Dense" : "sentence_transformers.base.modules.dense.Dense"
        return #"{"idx": \#(index), "name": "\#(index)", "path": "\#(index)_Dense", "type": "\#(type)"}"#
    }

    private func read(_ dir: URL) throws -> SentenceEmbeddingConfig? {
        try SentenceTransformersConfig.read(directory: dir)?.embedding
    }

    private func assertRefused(_ dir: URL, _ fragments: String..., file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SentenceTransformersConfig.read(directory: dir), file: file, line: line) { error in
            for fragment in fragments {
                XCTAssertTrue("\(error)".contains(fragment), "\(error) lacks \(fragment)", file: file, line: line)
            }
        }
    }

    func testPlainDirectoryHasNone() throws {
        XCTAssertNil(try read(directory(modules: nil, pooling: nil)))
    }

    func testLegacyPoolingKeys() throws {
        var dir = try directory(modules: modules(), pooling: ["pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false])
        let cls = try XCTUnwrap(SentenceTransformersConfig.read(directory: dir))
        XCTAssertEqual(cls.embedding.pooling, [.cls])
        XCTAssertFalse(cls.embedding.normalize)
        XCTAssertEqual(cls.legacyPooling, .cls)
        // Several flags concatenate in sentence-transformers' fixed order, whatever the key order.
        dir = try directory(modules: modules(), pooling: ["pooling_mode_lasttoken": true, "pooling_mode_max_tokens": true,
                                                          "pooling_mode_mean_sqrt_len_tokens": true])
        XCTAssertEqual(try read(dir)?.pooling, [.max, .meanSqrtLen, .lastToken])
        // None set: mean, as sentence-transformers 6.x reads it.
        dir = try directory(modules: modules(), pooling: ["pooling_mode_cls_token": false, "word_embedding_dimension": 16])
        XCTAssertEqual(try read(dir)?.pooling, [.mean])
    }

    func testNewPoolingKeyAndModuleNames() throws {
        let normalize = #"{"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.base.modules.normalize.Normalize"}"#
        var dir = try directory(modules: modules([normalize], old: false),
                                pooling: ["embedding_dimension": 16, "pooling_mode": "weightedmean", "include_prompt": false])
        let config = try XCTUnwrap(read(dir))
        XCTAssertEqual(config.pooling, [.weightedMean])
        XCTAssertFalse(config.includePrompt)
        XCTAssertTrue(config.normalize)
        dir = try directory(modules: modules(old: false), pooling: ["pooling_mode": ["cls", "lasttoken"]])
        XCTAssertEqual(try read(dir)?.pooling, [.cls, .lastToken])
        dir = try directory(modules: modules(old: false), pooling: ["pooling_mode": "median"])
        assertRefused(dir, "1_Pooling/config.json", "pooling mode 'median' is unknown", "weightedmean")
    }

    func testPromptsAndLimits() throws {
        let dir = try directory(modules: modules(), pooling: ["pooling_mode_mean_tokens": true], files: [
            "config_sentence_transformers.json": #"{"prompts": {"query": "search_query: ", "document": ""}, "default_prompt_name": "query", "similarity_fn_name": "dot"}"#,
            "sentence_bert_config.json": #"{"max_seq_length": 128, "do_lower_case": false}"#,
        ])
        let config = try XCTUnwrap(read(dir))
        XCTAssertEqual(config.prompts, ["query": "search_query: ", "document": ""])
        XCTAssertEqual(config.defaultPrompt, "query")
        XCTAssertEqual(config.similarity, "dot")
        XCTAssertEqual(config.maxLength, 128)
    }

    func testRefusals() throws {
        let mean: [String: Any] = ["pooling_mode_mean_tokens": true]
        assertRefused(try directory(modules: modules([dense(2)]), pooling: mean, files: [
            "2_Dense/config.json": #"{"in_features": 16, "out_features": 8, "bias": true, "activation_function": "torch.nn.modules.activation.Tanh"}"#,
            "2_Dense/pytorch_model.bin": "not read",
        ]), "2_Dense/pytorch_model.bin", "only read from safetensors", "pickle")
        assertRefused(try directory(modules: modules([dense(2)]), pooling: mean, files: [
            "2_Dense/config.json": #"{"in_features": 16, "out_features": 8, "activation_function": "my_package.Swish"}"#,
        ]), "2_Dense/config.json", "activation_function 'my_package.Swish' is not supported")
        assertRefused(try directory(modules: modules([dense(2)]), pooling: mean, files: [
            "2_Dense/config.json": #"{"in_features": 16, "out_features": 8, "module_input_name": "token_embeddings"}"#,
        ]), "module_input_name is token_embeddings")
        assertRefused(try directory(modules: modules([#"{"idx": 2, "path": "2_LSTM", "type": "sentence_transformers.models.LSTM"}"#]),
                                    pooling: mean), "modules.json", "module 2 type 'sentence_transformers.models.LSTM' is not supported")
        assertRefused(try directory(modules: modules([#"{"idx": 2, "path": "2_Pooling", "type": "my_package.Pooling"}"#]),
                                    pooling: mean), "type 'my_package.Pooling' is not supported")
        assertRefused(try directory(modules: #"[{"idx": 0, "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]"#,
                                    pooling: mean), "the first module must be the Transformer")
        let normalizeFirst = #"{"idx": 2, "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}"#
        assertRefused(try directory(modules: modules([normalizeFirst, dense(3)]), pooling: mean),
                      "module 3 (Dense): Normalize must be the last module")
        assertRefused(try directory(modules: modules(), pooling: mean, files: ["sentence_bert_config.json": #"{"do_lower_case": true}"#]),
                      "sentence_bert_config.json", "do_lower_case: true is not supported")
        assertRefused(try directory(modules: modules(), pooling: mean, files: ["sentence_bert_config.json": #"{"transformer_task": "fill-mask"}"#]),
                      "transformer_task 'fill-mask' is not supported")
        assertRefused(try directory(modules: modules(), pooling: mean, files: [
            "config_sentence_transformers.json": #"{"prompts": {"query": "q: "}, "default_prompt_name": "passage"}"#,
        ]), "default_prompt_name passage is not one of the prompts (query)")
    }

    func testDenseShapeAndPoolingWidthAreCheckedAtConversion() throws {
        // The committed 2.x fixture with its Dense config claiming another width.
        let source = TaskFixtures.directory.appendingPathComponent("st/st2-mean-dense-normalize")
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("mbconvert-st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            let from = source.appendingPathComponent(name).resolvingSymlinksInPath()
            try FileManager.default.copyItem(at: from, to: copy.appendingPathComponent(name))
        }
        let config = copy.appendingPathComponent("2_Dense/config.json")
        try #"{"in_features": 16, "out_features": 4, "bias": true, "activation_function": "torch.nn.modules.activation.Tanh"}"#
            .write(to: config, atomically: true, encoding: .utf8)
        let out = copy.appendingPathComponent("out.mbc")
        XCTAssertThrowsError(try Converter(directory: copy).convert(to: out)) { error in
            XCTAssertTrue("\(error)".contains("2_Dense/model.safetensors: tensor linear.weight has shape [8, 16], the config implies [4, 16]"), "\(error)")
        }
        try #"{"in_features": 32, "out_features": 8, "bias": true}"#.write(to: config, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Converter(directory: copy).convert(to: out)) { error in
            XCTAssertTrue("\(error)".contains("sentenceEmbedding.dense[0] takes 32 features, but 16 arrive"), "\(error)")
        }
    }

    func testTransformerInASubfolder() throws {
        // The 1.x/2.0 layout: the Hugging Face files under 0_Transformer.
        let source = TaskFixtures.directory.appendingPathComponent("st/st2-cls-weightedmean")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mbconvert-st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("0_Transformer"), withIntermediateDirectories: true)
        for name in ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "sentence_bert_config.json"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name).resolvingSymlinksInPath(),
                                             to: dir.appendingPathComponent("0_Transformer/\(name)"))
        }
        try FileManager.default.copyItem(at: source.appendingPathComponent("1_Pooling"), to: dir.appendingPathComponent("1_Pooling"))
        let modules = try String(contentsOf: source.appendingPathComponent("modules.json"), encoding: .utf8)
            .replacingOccurrences(of: #""path": """#, with: #""path": "0_Transformer""#)
        try modules.write(to: dir.appendingPathComponent("modules.json"), atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out.mbc")
        _ = try Converter(directory: dir).convert(to: out)
        let golden = try TaskFixtures.golden("st/st2-cls-weightedmean")
        let expected = ((golden["cases"] as! [[String: Any]])[0]["embeddings"] as! [[NSNumber]]).map { $0.map(\.floatValue) }
        let vectors = try Embedder(model: ModernBert(contentsOf: out)).embed(golden["texts"] as! [String]).map(\.vector)
        for (v, e) in zip(vectors, expected) { for (a, b) in zip(v, e) { assertClose(a, b, "0_Transformer layout") } }
    }

    func testOldConfigJSONWithoutEmbeddingKeysDecodes() throws {
        let model = try TaskFixtures.model("seqcls-single")
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(model.config)) as? [String: Any])
        XCTAssertNil(json["embeddingPooling"], "absent keys are not written")
        XCTAssertNil(json["sentenceEmbedding"], "absent keys are not written")
        json.removeValue(forKey: "embeddingNormalize")
        let decoded = try JSONDecoder().decode(ModelConfig.self, from: JSONSerialization.data(withJSONObject: json))
        XCTAssertNil(decoded.embeddingPooling)
        XCTAssertEqual(decoded, model.config)
    }
}
