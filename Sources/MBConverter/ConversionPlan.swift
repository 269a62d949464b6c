import Foundation
import MBFormat

/// What a Hugging Face directory holds, matched against what its config says the model needs.
///
/// Separated from writing so that `convert` and `quantize` share one source of truth for
/// names, shapes and error messages.
public struct ConversionPlan {
    public let config: ModelConfig
    public let checkpoint: SafeTensorsCheckpoint
    public let tokenizerJSON: [UInt8]?
    public let tokenizerConfigJSON: [UInt8]?
    public let metadata: [String: String]
    /// Checkpoint tensors no expected tensor maps to.
    public let ignored: [String]
    public let sourceBytes: Int
    /// Every file the plan reads (the output must not overwrite any).
    public let inputFiles: [URL]
    private let sourceName: [String: String]
    /// The checkpoints of sentence-transformers Dense modules, by canonical tensor name ("st_dense.0.linear.weight"),
    /// with the name inside that checkpoint ("linear.weight").
    private let denseSources: [String: (checkpoint: SafeTensorsCheckpoint, name: String)]

    public init(directory: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConversionError.missingFile(path: directory.path, hint: "Expected a Hugging Face model directory (config.json + model.safetensors).")
        }
        // A sentence-transformers directory keeps its transformer at the root or in a subfolder (0_Transformer).
        let st = try SentenceTransformersConfig.read(directory: directory)
        let hf = st?.transformerDirectory ?? directory
        let configURL = hf.appendingPathComponent("config.json")
        var config = try HFConfigReader.read(contentsOf: configURL)
        var denseSources: [String: (checkpoint: SafeTensorsCheckpoint, name: String)] = [:]
        var stFiles: [URL] = []
        if let st {
            let embedding = try st.resolved(for: config, directory: directory)
            config.sentenceEmbedding = embedding
            config.embeddingPooling = st.legacyPooling
            config.embeddingNormalize = st.legacyPooling == nil ? nil : embedding.normalize
            do {
                try config.validate()
            } catch {
                throw ConversionError.badConfig(path: directory.appendingPathComponent("modules.json").path, why: "\(error)")
            }
            for (k, moduleDirectory) in st.denseDirectories.enumerated() {
                let dense = try SafeTensorsCheckpoint(directory: moduleDirectory)
                let prefix = SentenceEmbeddingConfig.denseTensorPrefix(k)
                for name in ["linear.weight", "linear.bias", "residual.weight"] { denseSources["\(prefix).\(name)"] = (dense, name) }
                stFiles += dense.files.map(\.url) + [moduleDirectory.appendingPathComponent("config.json")]
            }
            stFiles += ["modules.json", "config_sentence_transformers.json"].map { directory.appendingPathComponent($0) }
        }
        self.denseSources = denseSources
        self.config = config
        checkpoint = try SafeTensorsCheckpoint(directory: hf)
        func optionalFile(_ name: String) -> [UInt8]? {
            FileManager.default.contents(atPath: hf.appendingPathComponent(name).path).map { Array($0) }
        }
        tokenizerJSON = optionalFile("tokenizer.json")
        tokenizerConfigJSON = optionalFile("tokenizer_config.json")

        // transformers prefixes the encoder with "model." in task classes; a bare ModernBertModel has none.
        var names: [String: String] = [:]
        for name in checkpoint.names {
            let canonical = name.hasPrefix("model.") ? String(name.dropFirst(6)) : name
            names[canonical] = name
        }
        sourceName = names
        let used = Set(ModelTensors.expected(for: config).map(\.name).filter { denseSources[$0] == nil })
        var ignored = names.filter { !used.contains($0.key) }.map(\.value).sorted()
        if config.tieWordEmbeddings { ignored.removeAll { $0 == "decoder.weight" } }  // a stored copy of the tie
        self.ignored = ignored
        let checkpoint = self.checkpoint
        sourceBytes = checkpoint.names.compactMap { checkpoint.info($0)?.byteCount }.reduce(0, +)
        inputFiles = checkpoint.files.map(\.url) + [configURL] + (checkpoint.indexURL.map { [$0] } ?? [])
            + ["tokenizer.json", "tokenizer_config.json"].map { hf.appendingPathComponent($0) } + stFiles
        metadata = [
            "converter": "mbconvert",
            "source": directory.standardizedFileURL.lastPathComponent,
            "source_architecture": config.architecture.rawValue,
        ]
    }

    /// One pending tensor per expected tensor, after checking that it exists with the right shape and a float dtype.
    public func tensors(_ make: (ModelTensors.Spec, SafeTensorInfo) throws -> PendingTensor) throws -> [PendingTensor] {
        try ModelTensors.expected(for: config).map { spec in
            let info = try source(for: spec)
            return try make(spec, info)
        }
    }

    /// An expected tensor's values as fp32, from the checkpoint that holds it.
    public func floats(_ spec: ModelTensors.Spec) throws -> [Float] {
        let info = try source(for: spec)
        return try (denseSources[spec.name]?.checkpoint ?? checkpoint).floats(info.name)
    }

    /// The checkpoint tensor behind an expected tensor, checked.
    public func source(for spec: ModelTensors.Spec) throws -> SafeTensorInfo {
        if let dense = denseSources[spec.name] {
            let file = dense.checkpoint.directory.appendingPathComponent(SafeTensorsCheckpoint.singleFileName).path
            guard let info = dense.checkpoint.info(dense.name) else {
                throw ConversionError.missingTensor(path: file, tensor: dense.name)
            }
            guard info.shape == spec.shape else {
                throw ConversionError.shapeMismatch(path: file, tensor: dense.name, expected: spec.shape, actual: info.shape)
            }
            guard [.f32, .f16, .bf16].contains(info.dtype) else {
                throw ConversionError.unsupportedDType(path: file, tensor: dense.name, dtype: info.dtype.safetensorsName)
            }
            return info
        }
        let where_ = checkpoint.indexURL?.path ?? checkpoint.directory.appendingPathComponent(SafeTensorsCheckpoint.singleFileName).path
        guard let name = sourceName[spec.name], let info = checkpoint.info(name) else {
            throw ConversionError.missingTensor(path: where_, tensor: spec.name)
        }
        let file = checkpoint.source(of: name)?.path ?? where_
        guard info.shape == spec.shape else {
            throw ConversionError.shapeMismatch(path: file, tensor: name, expected: spec.shape, actual: info.shape)
        }
        guard [.f32, .f16, .bf16].contains(info.dtype) else {
            throw ConversionError.unsupportedDType(path: file, tensor: name, dtype: info.dtype.safetensorsName)
        }
        return info
    }
}
