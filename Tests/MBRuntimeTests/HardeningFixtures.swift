import Foundation
import MBTestSupport
import MBConverter
import MBFormat
import MBRuntime
import XCTest

/// Small model files for the hardening tests, built once per test run.
enum HardeningFixtures {
    static let tinyCheckpoint = TestPaths.repository.appendingPathComponent("Fuzz/seeds/tiny-hf")
    static let realTokenizer = TestPaths.repository.appendingPathComponent("Tests/MBTokenizerTests/Fixtures")

    /// The 2-layer, hidden-8 checkpoint of Fuzz/seeds converted, with the cut-down tokenizer included
    /// (so the header has every section kind, zstd ones too). ~13 KB.
    static let tinyModel: URL = {
        let dir = try! TestPaths.temporaryDirectory()
        for name in ["config.json", "model.safetensors"] {
            try! FileManager.default.copyItem(at: tinyCheckpoint.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        try! FileManager.default.copyItem(at: TestPaths.repository.appendingPathComponent("Fuzz/seeds/tokenizer-small.json"),
                                          to: dir.appendingPathComponent("tokenizer.json"))
        try! FileManager.default.copyItem(at: realTokenizer.appendingPathComponent("tokenizer_config.json"),
                                          to: dir.appendingPathComponent("tokenizer_config.json"))
        let file = dir.appendingPathComponent("tiny.mbc")
        _ = try! Converter(directory: dir).convert(to: file)
        return file
    }()

    /// `tinyModel` with its compiled tokenizer stored raw, as format 1.1 wrote it.
    static let tinyModelRawCompiledTokenizer: URL = {
        let file = try! ModelFile(url: tinyModel)
        let tensors = file.tensors.map { r in
            PendingTensor(record: TensorRecord(name: r.name, dtype: r.dtype, shape: r.shape), bytes: { Array(file.bytes(of: r)) })
        }
        let metadata = try! JSONSerialization.jsonObject(with: Data(try! file.section(.metadata)!)) as! [String: String]
        var writer = ModelFileWriter(config: file.config, metadata: metadata, tokenizerJSON: try! file.section(.tokenizer),
                                     tokenizerConfigJSON: try! file.section(.tokenizerConfig), tensors: tensors)
        writer.compiledTokenizerEncoding = .raw
        let url = try! TestPaths.temporaryDirectory().appendingPathComponent("tiny-raw-tkbp.mbc")
        try! writer.write(to: url)
        return url
    }()

    /// A masked-LM model with ModernBERT's real tokenizer and vocabulary (50368) but hidden size 8,
    /// one layer and max_position_embeddings 16, for the text commands' length handling. ~2 MB.
    static let textModel: URL = {
        let dir = try! TestPaths.temporaryDirectory().appendingPathComponent("text-hf")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let v = 50368, h = 8
        let config: [String: Any] = [
            "architectures": ["ModernBertForMaskedLM"], "model_type": "modernbert", "hidden_size": h,
            "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "vocab_size": v,
            "max_position_embeddings": 16, "local_attention": 4, "pad_token_id": 50283, "cls_token_id": 50281,
            "sep_token_id": 50282,
        ]
        try! JSONSerialization.data(withJSONObject: config).write(to: dir.appendingPathComponent("config.json"))
        var generator = SystemRandomNumberGenerator()
        func values(_ n: Int, around center: Float = 0) -> [Float] {
            (0..<n).map { _ in center + Float.random(in: -0.2...0.2, using: &generator) }
        }
        var writer = SafeTensorsWriter()
        let tensors: [(String, [Int])] = [
            ("model.embeddings.tok_embeddings.weight", [v, h]), ("model.embeddings.norm.weight", [h]),
            ("model.layers.0.attn.Wqkv.weight", [3 * h, h]), ("model.layers.0.attn.Wo.weight", [h, h]),
            ("model.layers.0.mlp_norm.weight", [h]), ("model.layers.0.mlp.Wi.weight", [16, h]),
            ("model.layers.0.mlp.Wo.weight", [h, 8]), ("model.final_norm.weight", [h]),
            ("head.dense.weight", [h, h]), ("head.norm.weight", [h]), ("decoder.bias", [v]),
        ]
        for (name, shape) in tensors {
            let count = shape.reduce(1, *)
            try! writer.add(name: name, dtype: .f32, shape: shape,
                            floats: values(count, around: name.hasSuffix("norm.weight") ? 1 : 0))
        }
        try! writer.write(to: dir.appendingPathComponent("model.safetensors"))
        for name in ["tokenizer.json", "tokenizer_config.json"] {
            try! FileManager.default.copyItem(at: realTokenizer.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        let file = dir.deletingLastPathComponent().appendingPathComponent("text.mbc")
        _ = try! Converter(directory: dir).convert(to: file)
        return file
    }()
}

/// Runs the built `mbconvert` binary (found by `MBConvertBinary`: next to the test bundle, or
/// `MBCONVERT_BINARY`; not finding it fails the test).
enum CLI {
    static func binary() throws -> URL { try MBConvertBinary.url() }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes before waiting so a chatty child cannot block on a full pipe.
        final class Box: @unchecked Sendable { var data = Data() }
        let outBox = Box()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { outBox.data = out.fileHandleForReading.readDataToEndOfFile() }
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let outData = outBox.data
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}
