/// The model hyper-parameters the runtime needs, normalised from either Hugging Face config dialect.
///
/// Stored as JSON in the model file's `CONF` section. Field names are stable: an independent
/// reader can decode them (see `Formats/model-file.md`).
public struct ModelConfig: Codable, Sendable, Equatable {
    /// The transformers class the checkpoint was saved from; decides which head runs on top.
    public enum Architecture: String, Codable, Sendable, CaseIterable {
        case base = "ModernBertModel"
        case maskedLM = "ModernBertForMaskedLM"
        case sequenceClassification = "ModernBertForSequenceClassification"
        case tokenClassification = "ModernBertForTokenClassification"
        case questionAnswering = "ModernBertForQuestionAnswering"
    }

    /// Global layers attend to every token; local layers to a window around each token.
    public enum AttentionKind: String, Codable, Sendable {
        case global = "full_attention"
        case local = "sliding_attention"
    }

    public enum Pooling: String, Codable, Sendable {
        case cls, mean
    }

    public var architecture: Architecture
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numLayers: Int
    public var numHeads: Int
    public var maxPositions: Int
    /// Total sliding window: a local-layer token at i sees j when |i - j| <= localAttention / 2.
    public var localAttention: Int
    public var layerTypes: [AttentionKind]
    public var globalRopeTheta: Double
    public var localRopeTheta: Double
    public var normEps: Double
    public var normBias: Bool
    public var attentionBias: Bool
    public var mlpBias: Bool
    public var hiddenActivation: Activation
    public var classifierActivation: Activation
    public var classifierBias: Bool
    public var classifierPooling: Pooling
    public var decoderBias: Bool
    public var tieWordEmbeddings: Bool
    public var numLabels: Int
    /// Label names by class index, when the checkpoint has them.
    public var labels: [String]?
    /// transformers' `problem_type` ("single_label_classification", "multi_label_classification", "regression").
    public var problemType: String?
    public var padTokenId: Int?
    public var clsTokenId: Int?
    public var sepTokenId: Int?
    /// Sentence-embedding pooling recorded from a sentence-transformers directory (`1_Pooling/config.json`);
    /// nil for plain checkpoints. Optional, so files written before it existed still decode.
    public var embeddingPooling: Pooling?
    /// Whether sentence embeddings are L2-normalised (a `Normalize` module in `modules.json`); nil if unknown.
    public var embeddingNormalize: Bool?
    /// The whole sentence-transformers pipeline after the encoder (pooling modes, Dense layers, Normalize,
    /// length limit, prompts). When present it governs; `embeddingPooling` / `embeddingNormalize` are then
    /// written too where they can express it, for readers that predate this key.
    public var sentenceEmbedding: SentenceEmbeddingConfig?

    public init(
        architecture: Architecture, vocabSize: Int, hiddenSize: Int, intermediateSize: Int,
        numLayers: Int, numHeads: Int, maxPositions: Int, localAttention: Int,
        layerTypes: [AttentionKind], globalRopeTheta: Double, localRopeTheta: Double,
        normEps: Double, normBias: Bool, attentionBias: Bool, mlpBias: Bool,
        hiddenActivation: Activation, classifierActivation: Activation, classifierBias: Bool,
        classifierPooling: Pooling, decoderBias: Bool, tieWordEmbeddings: Bool, numLabels: Int,
        labels: [String]? = nil, problemType: String? = nil,
        padTokenId: Int? = nil, clsTokenId: Int? = nil, sepTokenId: Int? = nil,
        embeddingPooling: Pooling? = nil, embeddingNormalize: Bool? = nil,
        sentenceEmbedding: SentenceEmbeddingConfig? = nil
    ) {
        self.architecture = architecture; self.vocabSize = vocabSize; self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize; self.numLayers = numLayers; self.numHeads = numHeads
        self.maxPositions = maxPositions; self.localAttention = localAttention; self.layerTypes = layerTypes
        self.globalRopeTheta = globalRopeTheta; self.localRopeTheta = localRopeTheta; self.normEps = normEps
        self.normBias = normBias; self.attentionBias = attentionBias; self.mlpBias = mlpBias
        self.hiddenActivation = hiddenActivation; self.classifierActivation = classifierActivation
        self.classifierBias = classifierBias; self.classifierPooling = classifierPooling
        self.decoderBias = decoderBias; self.tieWordEmbeddings = tieWordEmbeddings; self.numLabels = numLabels
        self.labels = labels; self.problemType = problemType
        self.padTokenId = padTokenId; self.clsTokenId = clsTokenId; self.sepTokenId = sepTokenId
        self.embeddingPooling = embeddingPooling; self.embeddingNormalize = embeddingNormalize
        self.sentenceEmbedding = sentenceEmbedding
    }

    public var headDim: Int { hiddenSize / numHeads }

    /// Half of the sliding window: how far a local-layer token looks each way.
    public var halfWindow: Int { localAttention / 2 }

    /// Whether the model carries a task head on top of the encoder's final norm.
    public var hasHead: Bool { architecture != .base }

    /// Width of the head's logits per row (vocabulary for MLM, labels otherwise, 0 for no head).
    public var logitsWidth: Int {
        switch architecture {
        case .base: return 0
        case .maskedLM: return vocabSize
        case .sequenceClassification, .tokenClassification, .questionAnswering: return numLabels
        }
    }

    /// Checks the relations between fields that the runtime relies on.
    /// - Throws: `ConfigError.invalid` describing the first contradiction found.
    public func validate() throws {
        func fail(_ why: String) -> ConfigError { .invalid(why) }
        guard vocabSize > 0, hiddenSize > 0, intermediateSize > 0, numLayers > 0, numHeads > 0 else {
            throw fail("vocab_size, hidden_size, intermediate_size, num_hidden_layers and num_attention_heads must be positive")
        }
        guard hiddenSize % numHeads == 0 else {
            throw fail("hidden_size \(hiddenSize) is not divisible by num_attention_heads \(numHeads)")
        }
        guard headDim % 2 == 0 else { throw fail("head dimension \(headDim) must be even for rotary embeddings") }
        guard layerTypes.count == numLayers else {
            throw fail("layer_types has \(layerTypes.count) entries but num_hidden_layers is \(numLayers)")
        }
        // Checked even when every layer is global: a window <= 0 is a damaged config, not a choice.
        guard localAttention > 0 else { throw fail("local_attention must be positive, got \(localAttention)") }
        guard maxPositions > 0 else { throw fail("max_position_embeddings must be positive") }
        guard globalRopeTheta > 0, localRopeTheta > 0 else { throw fail("rope_theta must be positive") }
        guard normEps > 0, normEps.isFinite else { throw fail("norm_eps must be a positive number") }
        if architecture != .base && architecture != .maskedLM {
            guard numLabels > 0 else { throw fail("num_labels must be positive") }
        }
        if architecture == .questionAnswering, numLabels != 2 {
            throw fail("question answering needs num_labels == 2 (start and end), got \(numLabels)")
        }
        if let labels, labels.count != numLabels {
            throw fail("id2label has \(labels.count) names but num_labels is \(numLabels)")
        }
        try sentenceEmbedding?.validate(hiddenSize: hiddenSize)
    }
}

/// Activation functions transformers' `ACT2FN` maps ModernBERT configs to.
public enum Activation: String, Codable, Sendable, CaseIterable {
    case gelu                          // exact, erf-based
    case geluTanh = "gelu_pytorch_tanh"
    case geluNew = "gelu_new"          // same tanh approximation
    case geluFast = "gelu_fast"
    case quickGelu = "quick_gelu"
    case relu
    case silu
    case swish
}

/// A configuration that cannot describe a runnable ModernBERT.
public enum ConfigError: Error, CustomStringConvertible, Equatable {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let why): return "invalid model configuration: \(why)"
        }
    }
}
