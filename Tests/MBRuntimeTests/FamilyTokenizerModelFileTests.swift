import Foundation
import MBConverter
import MBFormat
import MBRuntime
import MBTokenizer
import XCTest

/// The converter path for tokenizers beyond byte-level BPE: a checkpoint directory with a
/// byte-fallback (Gemma-like), Metaspace or continuing-subword tokenizer.json converts to a model
/// file whose tokenizer (loaded from the compiled TKBP section) gives Hugging Face's golden ids,
/// offsets and decodes, and the same results as the JSON it came from.
final class FamilyTokenizerModelFileTests: XCTestCase {
    private static let families = TestPaths.repository.appendingPathComponent("Tests/MBTokenizerTests/Fixtures/families")

    private struct Case: Decodable {
        var text: Int
        var pair: Int?
        var max_length: Int?
        var ids: [Int32]
        var offsets: [Int]
        var decoded: String
    }

    /// A one-layer, hidden-8 masked LM over `vocabSize` ids with the family's tokenizer.json, converted.
    private func convertedModel(family: String, vocabSize: Int) throws -> URL {
        let dir = try TestPaths.temporaryDirectory()
        let h = 8
        let config: [String: Any] = [
            "architectures": ["ModernBertForMaskedLM"], "model_type": "modernbert", "hidden_size": h,
            "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "vocab_size": vocabSize,
            "max_position_embeddings": 64, "local_attention": 4, "pad_token_id": 0,
        ]
        try JSONSerialization.data(withJSONObject: config).write(to: dir.appendingPathComponent("config.json"))
        var writer = SafeTensorsWriter()
        let tensors: [(String, [Int])] = [
            ("model.embeddings.tok_embeddings.weight", [vocabSize, h]), ("model.embeddings.norm.weight", [h]),
            ("model.layers.0.attn.Wqkv.weight", [3 * h, h]), ("model.layers.0.attn.Wo.weight", [h, h]),
            ("model.layers.0.mlp_norm.weight", [h]), ("model.layers.0.mlp.Wi.weight", [16, h]),
            ("model.layers.0.mlp.Wo.weight", [h, 8]), ("model.final_norm.weight", [h]),
            ("head.dense.weight", [h, h]), ("head.norm.weight", [h]), ("decoder.bias", [vocabSize]),
        ]
        for (name, shape) in tensors {
            let count = shape.reduce(1, *)
            try writer.add(name: name, dtype: .f32, shape: shape,
                           floats: (0..<count).map { Float($0 % 7) * 0.01 + (name.hasSuffix("norm.weight") ? 1 : 0) })
        }
        try writer.write(to: dir.appendingPathComponent("model.safetensors"))
        try FileManager.default.copyItem(at: Self.families.appendingPathComponent("\(family).json"),
                                         to: dir.appendingPathComponent("tokenizer.json"))
        let file = dir.appendingPathComponent("\(family).mbc")
        _ = try Converter(directory: dir).convert(to: file)
        return file
    }

    private func check(family: String) throws {
        let json = try Data(contentsOf: Self.families.appendingPathComponent("\(family).json"))
        let fromJSON = try Tokenizer(jsonData: json)
        let file = try ModelFile(url: try convertedModel(family: family, vocabSize: fromJSON.vocabSize))
        XCTAssertNotNil(file.header.section(.compiledTokenizer), "\(family): the converter compiles the tokenizer")
        let tokenizer = try XCTUnwrap(try file.tokenizer())
        XCTAssertEqual(tokenizer.vocabSize, fromJSON.vocabSize)

        let decoder = JSONDecoder()
        func lines(_ name: String) throws -> [Data] {
            try Data(contentsOf: Self.families.appendingPathComponent(name)).split(separator: UInt8(ascii: "\n")).map { Data($0) }
        }
        let texts = try lines("texts.jsonl").map { try decoder.decode(String.self, from: $0) }
        let cases = try lines("\(family).golden.jsonl").map { try decoder.decode(Case.self, from: $0) }
        XCTAssertEqual(cases.count, 100)
        var matched = 0
        for c in cases {
            let e = tokenizer.encode(texts[c.text], pair: c.pair.map { texts[$0] }, maxLength: c.max_length)
            let reference = fromJSON.encode(texts[c.text], pair: c.pair.map { texts[$0] }, maxLength: c.max_length)
            if e.ids == c.ids, e.offsets.flatMap({ [$0.start, $0.end] }) == c.offsets, tokenizer.decode(e.ids) == c.decoded,
               e == reference {
                matched += 1
            }
        }
        XCTAssertEqual(matched, cases.count, "\(family): cases through the model file that differ from tokenizers")
    }

    func testGemmaLikeByteFallbackTokenizer() throws { try check(family: "gemma") }
    func testMetaspaceTokenizer() throws { try check(family: "metaspace-first") }
    func testContinuingSubwordTokenizer() throws { try check(family: "subword") }
}
