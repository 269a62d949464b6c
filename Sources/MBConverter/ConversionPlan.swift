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

    public init(directory: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConversionError.missingFile(path: directory.path, hint: "Expected a Hugging Face model directory (config.json + model.safetensors).")
        }
        let configURL = directory.appendingPathComponent("config.json")
        var config = try HFConfigReader.read(contentsOf: configURL)
        if let st = try SentenceTransformersConfig.read(directory: directory) {
            config.embeddingPooling = st.pooling
            config.embeddingNormalize = st.normalize
        }
        self.config = config
        checkpoint = try SafeTensorsCheckpoint(directory: directory)
        func optionalFile(_ name: String) -> [UInt8]? {
            FileManager.default.contents(atPath: directory.appendingPathComponent(name).path).map { Array($0) }
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
        let used = Set(ModelTensors.expected(for: config).map(\.name))
        var ignored = names.filter { !used.contains($0.key) }.map(\.value).sorted()
        if config.tieWordEmbeddings { ignored.removeAll { $0 == "decoder.weight" } }  // a stored copy of the tie
        self.ignored = ignored
        let checkpoint = self.checkpoint
        sourceBytes = checkpoint.names.compactMap { checkpoint.info($0)?.byteCount }.reduce(0, +)
        inputFiles = checkpoint.files.map(\.url) + [configURL] + (checkpoint.indexURL.map { [$0] } ?? [])
            + ["tokenizer.json", "tokenizer_config.json"].map { directory.appendingPathComponent($0) }
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

    /// The checkpoint tensor behind an expected tensor, checked.
    public func source(for spec: ModelTensors.Spec) throws -> SafeTensorInfo {
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
