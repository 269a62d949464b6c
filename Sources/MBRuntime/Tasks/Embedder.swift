import MBFormat
import MBTokenizer

/// Sentence embeddings: encoder, then CLS or mean pooling, then optional L2 normalisation.
///
/// Defaults come from the model file: a file converted from a sentence-transformers directory records
/// its pooling and normalisation (`embeddingPooling`, `embeddingNormalize`), so `embed` reproduces
/// `SentenceTransformer.encode`. Other files default to mean pooling without normalisation.
///
/// ```swift
/// let model = try ModernBert(contentsOf: URL(fileURLWithPath: "embedder.mbc"))
/// let embedder = try Embedder(model: model)
/// let vectors = try embedder.embed(["first text", "second text"]).map(\.vector)
/// ```
public struct Embedder: Sendable {
    public struct Embedding: Sendable {
        public var vector: [Float]
        public var tokenCount: Int
        /// The text was cut to the model's maximum length before embedding.
        public var truncated: Bool
    }

    public let model: ModernBert
    public let tokenizer: Tokenizer
    public var pooling: ModelConfig.Pooling
    public var normalize: Bool
    public var batching: Batching = .default

    /// - Parameters: pooling, normalize: override what the model file records.
    public init(model: ModernBert, tokenizer: Tokenizer? = nil, pooling: ModelConfig.Pooling? = nil,
                normalize: Bool? = nil) throws {
        self.model = model
        self.tokenizer = try tokenizer ?? model.requireTokenizer()
        self.pooling = pooling ?? model.config.embeddingPooling ?? .mean
        self.normalize = normalize ?? model.config.embeddingNormalize ?? false
    }

    public var dimension: Int { model.config.hiddenSize }

    public func embed(_ texts: [String], progress: TaskProgress? = nil) throws -> [Embedding] {
        let encoded = tokenizer.encodeTruncating(texts, maxLength: model.config.maxPositions)
        var out: [Embedding] = []
        out.reserveCapacity(texts.count)
        try model.forEachBatch(encoded.map(\.encoding.ids), batching: batching, progress: progress) { output, first in
            for s in output.ranges.indices {
                let e = encoded[first + s]
                out.append(Embedding(vector: vector(from: output, sequence: s), tokenCount: e.encoding.count,
                                     truncated: e.truncated))
            }
        }
        return out
    }

    /// The embedding of one sequence of an encoder output that the caller ran itself: this embedder's
    /// pooling, then its normalisation. `embed` calls it for every sequence; a host that batches
    /// sequences from several sources into one `model.forward` (a server's queue) gets the same vectors.
    /// - Parameters:
    ///   - output: the result of `model.forward` on token ids this embedder's tokenizer produced.
    ///   - sequence: the index of the sequence in that batch.
    /// - Returns: a vector of `dimension` values.
    public func vector(from output: EncoderOutput, sequence: Int) -> [Float] {
        let v = output.pooled(sequence, pooling)
        return normalize ? l2Normalized(v) : v
    }

    public func embed(_ text: String) throws -> Embedding { try embed([text])[0] }
}
