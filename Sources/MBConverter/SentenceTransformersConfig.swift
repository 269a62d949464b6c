import Foundation
import MBFormat

/// A sentence-transformers directory (versions 2.x to 6.x): the `modules.json` pipeline read into
/// what the model file records (`SentenceEmbeddingConfig`) and where its weights are.
///
/// The Transformer module is the Hugging Face ModernBERT that mbconvert converts; the modules after
/// it must be one `Pooling`, then any `Dense` and `Dropout` modules, then at most one `Normalize`.
/// Module types are accepted under their old names (`sentence_transformers.models.Dense`) and the
/// current ones (`sentence_transformers.base.modules.dense.Dense`, ...). Anything else (a Router, a
/// custom module, a Dense reading token embeddings, `do_lower_case`) is refused, naming the file,
/// rather than converted into a model that embeds differently.
public struct SentenceTransformersConfig: Equatable, Sendable {
    /// What the model file records.
    public var embedding: SentenceEmbeddingConfig
    /// The Transformer module's directory: the root (`"path": ""`) or a subfolder such as `0_Transformer`.
    public var transformerDirectory: URL
    /// The directory of each Dense module, in pipeline order (their `model.safetensors`).
    public var denseDirectories: [URL]

    /// The pooling as the pre-`sentenceEmbedding` keys can express it (`embeddingPooling`): one CLS or
    /// mean mode with nothing else that changes the vector; nil otherwise.
    public var legacyPooling: ModelConfig.Pooling? {
        guard embedding.dense.isEmpty, embedding.includePrompt, embedding.pooling.count == 1 else { return nil }
        switch embedding.pooling[0] {
        case .cls: return .cls
        case .mean: return .mean
        default: return nil
        }
    }

    /// Reads `modules.json` in `directory`; nil when the directory is not a sentence-transformers model.
    /// - Throws: `ConversionError` naming the file for modules, modes or options mbconvert cannot reproduce,
    ///   Dense weights stored only as `pytorch_model.bin`, and malformed files.
    public static func read(directory: URL) throws -> SentenceTransformersConfig? {
        let modulesURL = directory.appendingPathComponent("modules.json")
        guard let data = FileManager.default.contents(atPath: modulesURL.path) else { return nil }
        let path = modulesURL.path
        guard let modules = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]] else {
            throw ConversionError.badConfig(path: path, why: "expected a JSON list of {\"path\", \"type\"} modules")
        }
        var transformer: URL?
        var pooling: SentenceTransformersModules.Pooling?
        var dense: [SentenceEmbeddingConfig.Dense] = []
        var denseDirectories: [URL] = []
        var normalize = false
        for (index, module) in modules.enumerated() {
            let type = module["type"] as? String ?? ""
            let sub = module["path"] as? String ?? ""
            let moduleDirectory = sub.isEmpty ? directory : directory.appendingPathComponent(sub)
            guard let kind = SentenceTransformersModules.Kind(type: type) else {
                throw ConversionError.badConfig(path: path, why: "module \(index) type '\(type)' is not supported "
                    + "(supported: Transformer, then Pooling, Dense, Dropout, Normalize of sentence_transformers)")
            }
            func order(_ ok: Bool, _ rule: String) throws {
                if !ok { throw ConversionError.badConfig(path: path, why: "module \(index) (\(kind.rawValue)): \(rule)") }
            }
            try order(kind == .transformer || transformer != nil, "the first module must be the Transformer")
            try order(!normalize, "Normalize must be the last module")
            switch kind {
            case .transformer:
                try order(transformer == nil, "only one Transformer module is supported")
                transformer = moduleDirectory
            case .pooling:
                try order(pooling == nil, "only one Pooling module is supported")
                pooling = try SentenceTransformersModules.readPooling(moduleDirectory.appendingPathComponent("config.json"))
            case .dense:
                try order(pooling != nil, "a Dense module before Pooling (on token embeddings) is not supported")
                dense.append(try SentenceTransformersModules.readDense(moduleDirectory))
                denseDirectories.append(moduleDirectory)
            case .dropout:
                continue  // inactive at inference
            case .normalize:
                try order(pooling != nil, "Normalize before Pooling is not supported")
                normalize = true
            }
        }
        guard let transformer else {
            throw ConversionError.badConfig(path: path, why: "no sentence_transformers Transformer module")
        }
        guard let pooling else {
            throw ConversionError.badConfig(path: path, why: "no sentence_transformers Pooling module")
        }
        let limits = try SentenceTransformersModules.readTransformerLimits(transformer)
        let prompts = try SentenceTransformersModules.readPrompts(directory.appendingPathComponent("config_sentence_transformers.json"))
        let embedding = SentenceEmbeddingConfig(
            pooling: pooling.modes, includePrompt: pooling.includePrompt, dense: dense, normalize: normalize,
            maxLength: limits.maxSeqLength, prompts: prompts.prompts, defaultPrompt: prompts.defaultPrompt,
            similarity: prompts.similarity)
        var config = SentenceTransformersConfig(embedding: embedding, transformerDirectory: transformer,
                                                denseDirectories: denseDirectories)
        config.poolingDimension = pooling.dimension
        config.tokenizerMaxLength = limits.tokenizerMaxLength
        return config
    }

    /// `embedding_dimension` of the Pooling config, checked against the hidden size by the plan.
    public internal(set) var poolingDimension: Int?
    /// `model_max_length` of the Transformer's `tokenizer_config.json`, which sentence-transformers uses
    /// (capped at the model's positions) when `max_seq_length` is not set.
    public internal(set) var tokenizerMaxLength: Int?

    /// Completes `embedding` with what needs the transformer's config: the default length limit.
    /// - Throws: `ConversionError.badConfig` when the pooling width does not match the hidden size.
    public func resolved(for config: ModelConfig, directory: URL) throws -> SentenceEmbeddingConfig {
        if let poolingDimension, poolingDimension != config.hiddenSize {
            throw ConversionError.badConfig(path: directory.path,
                why: "the Pooling module's embedding_dimension is \(poolingDimension), the model's hidden_size \(config.hiddenSize)")
        }
        var embedding = self.embedding
        if embedding.maxLength == nil, let tokenizerMaxLength, tokenizerMaxLength < config.maxPositions {
            embedding.maxLength = tokenizerMaxLength
        }
        if let limit = embedding.maxLength, limit > config.maxPositions {
            embedding.maxLength = config.maxPositions  // the runtime cannot go past the model's positions
        }
        return embedding
    }
}
