/// How a sentence-transformers model turns the encoder's token states into a sentence embedding:
/// the modules after its Transformer (Pooling, Dense..., Normalize), the tokenizer limit and prompts
/// of its `sentence_bert_config.json` / `config_sentence_transformers.json`.
///
/// Stored in the model file's `CONF` under `sentenceEmbedding` (see `Formats/model-file.md`); the
/// Dense layers' weights are the tensors `st_dense.{k}.linear.weight` / `.bias` / `residual.weight`.
public struct SentenceEmbeddingConfig: Codable, Sendable, Equatable {
    /// One `Dense` module: `activation(linear(x))`, plus `x` (or `residual(x)` when the widths differ)
    /// when `residual` is set (sentence-transformers' `use_residual`).
    public struct Dense: Codable, Sendable, Equatable {
        public var inFeatures: Int
        public var outFeatures: Int
        public var bias: Bool
        public var activation: DenseActivation
        public var residual: Bool

        public init(inFeatures: Int, outFeatures: Int, bias: Bool, activation: DenseActivation, residual: Bool = false) {
            self.inFeatures = inFeatures
            self.outFeatures = outFeatures
            self.bias = bias
            self.activation = activation
            self.residual = residual
        }

        /// `residual` with different widths needs its own projection (`residual.weight`, no bias).
        public var hasResidualProjection: Bool { residual && inFeatures != outFeatures }
    }

    /// Pooling modes, concatenated in this order (one mode: a vector of hiddenSize).
    public var pooling: [SentencePooling]
    /// `false`: the prompt's tokens ([CLS] and the prompt) are left out of pooling (`include_prompt`).
    public var includePrompt: Bool
    public var dense: [Dense]
    /// A `Normalize` module ends the pipeline.
    public var normalize: Bool
    /// Inputs are truncated to this many tokens, special tokens included (sentence-transformers'
    /// `max_seq_length`); nil: the model's maximum positions.
    public var maxLength: Int?
    /// Named prompts prepended to the text (`prompts` of `config_sentence_transformers.json`).
    public var prompts: [String: String]
    /// The prompt applied when none is asked for (`default_prompt_name`).
    public var defaultPrompt: String?
    /// `similarity_fn_name` (`cosine`, `dot`, `euclidean`, `manhattan`), recorded for hosts; nil if unset.
    public var similarity: String?

    public init(pooling: [SentencePooling], includePrompt: Bool = true, dense: [Dense] = [], normalize: Bool,
                maxLength: Int? = nil, prompts: [String: String] = [:], defaultPrompt: String? = nil,
                similarity: String? = nil) {
        self.pooling = pooling
        self.includePrompt = includePrompt
        self.dense = dense
        self.normalize = normalize
        self.maxLength = maxLength
        self.prompts = prompts
        self.defaultPrompt = defaultPrompt
        self.similarity = similarity
    }

    /// The embedding width: the last Dense layer's outputs, else modes × hidden size.
    public func dimension(hiddenSize: Int) -> Int { dense.last?.outFeatures ?? pooling.count * hiddenSize }

    /// Checks that the modules chain (each Dense reads what the step before writes).
    /// - Throws: `ConfigError.invalid` naming the first mismatch.
    public func validate(hiddenSize: Int) throws {
        guard !pooling.isEmpty else { throw ConfigError.invalid("sentenceEmbedding.pooling is empty") }
        var width = pooling.count * hiddenSize
        for (k, d) in dense.enumerated() {
            guard d.inFeatures == width, d.outFeatures > 0 else {
                throw ConfigError.invalid("sentenceEmbedding.dense[\(k)] takes \(d.inFeatures) features, but \(width) arrive")
            }
            width = d.outFeatures
        }
        if let maxLength, maxLength <= 0 { throw ConfigError.invalid("sentenceEmbedding.maxLength must be positive") }
        if let defaultPrompt, prompts[defaultPrompt] == nil {
            throw ConfigError.invalid("sentenceEmbedding.defaultPrompt '\(defaultPrompt)' is not one of the prompts")
        }
    }

    /// The canonical tensor names of Dense layer `k`.
    public static func denseTensorPrefix(_ k: Int) -> String { "st_dense.\(k)" }
}

/// sentence-transformers' pooling modes (`Pooling.POOLING_MODES`), by their `pooling_mode` names.
public enum SentencePooling: String, Codable, Sendable, CaseIterable {
    /// The first pooled token ([CLS], or the first token after an excluded prompt).
    case cls
    /// Element-wise maximum over the tokens.
    case max
    /// Mean over the tokens.
    case mean
    /// Sum over the tokens divided by the square root of their number.
    case meanSqrtLen = "mean_sqrt_len_tokens"
    /// Mean weighted by position (1 for the first token, 2 for the second, ...).
    case weightedMean = "weightedmean"
    /// The last token ([SEP] for ModernBERT's template).
    case lastToken = "lasttoken"
}

/// The activation of a Dense module, from the torch class its config names
/// (`torch.nn.modules.activation.Tanh` → `tanh`).
public enum DenseActivation: String, Codable, Sendable, CaseIterable {
    case identity, tanh, sigmoid, relu, gelu, silu

    /// The torch class name (`Identity`, `Tanh`, `Sigmoid`, `ReLU`, `GELU`, `SiLU`), case-sensitive.
    public init?(torchClass: String) {
        switch torchClass {
        case "Identity": self = .identity
        case "Tanh": self = .tanh
        case "Sigmoid": self = .sigmoid
        case "ReLU": self = .relu
        case "GELU": self = .gelu
        case "SiLU": self = .silu
        default: return nil
        }
    }
}
