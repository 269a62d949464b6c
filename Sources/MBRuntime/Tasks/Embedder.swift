import MBFormat
import MBTokenizer

/// Sentence embeddings as `SentenceTransformer.encode` computes them: encoder, pooling (one or more
/// modes, concatenated), the Dense modules, L2 normalisation, optionally a prompt in front of the
/// text and Matryoshka truncation.
///
/// Defaults come from the model file: a file converted from a sentence-transformers directory records
/// its whole pipeline (`sentenceEmbedding`: pooling modes, `include_prompt`, Dense layers, Normalize,
/// `max_seq_length`, prompts and the default prompt), so `embed` reproduces `encode` without arguments.
/// Other files default to mean pooling without normalisation.
///
/// ```swift
/// let model = try ModernBert(contentsOf: URL(fileURLWithPath: "embedder.mbc"))
/// let queries = try Embedder(model: model, promptName: "query")       // prepends the model's "search_query: "
/// let vectors = try queries.embed(["first text", "second text"]).map(\.vector)
/// let short = try Embedder(model: model, dimensions: 256)              // Matryoshka: first 256, renormalised
/// ```
public struct Embedder: Sendable {
    public struct Embedding: Sendable {
        public var vector: [Float]
        /// Tokens the encoder read (prompt and special tokens included).
        public var tokenCount: Int
        /// The text was cut to the limit (`maxLength`) before embedding.
        public var truncated: Bool
    }

    public let model: ModernBert
    public let tokenizer: Tokenizer
    /// Pooling modes, concatenated in this order.
    public var pooling: [SentencePooling]
    public var normalize: Bool
    /// Text put in front of every input (sentence-transformers' `prompt`); nil or empty for none.
    public var prompt: String?
    /// Leave [CLS] and the prompt's tokens out of pooling when false (`include_prompt`).
    public var includePrompt: Bool
    /// Keep only the first `dimensions` values (Matryoshka truncation), renormalised when `normalize`.
    public var dimensions: Int?
    /// The most tokens an input may have, special tokens included.
    public var maxLength: Int
    public var batching: Batching = .default
    /// Whether the file's Dense modules run (false when the pooling was overridden with another width).
    public let appliesDense: Bool

    /// - Parameters:
    ///   - pooling: one mode instead of the file's (the Dense modules still run if the width is unchanged).
    ///   - normalize: override the file's Normalize.
    ///   - promptName: one of the model's named prompts (``prompts``); nil: the model's default prompt, if any.
    ///   - prompt: a literal prompt instead (`""` turns off a default prompt); wins over `promptName`.
    ///   - dimensions: Matryoshka truncation, 1 through the embedding width.
    /// - Throws: `TaskError.invalidArgument` for an unknown prompt name or a dimension out of range.
    public init(model: ModernBert, tokenizer: Tokenizer? = nil, pooling: SentencePooling? = nil,
                normalize: Bool? = nil, promptName: String? = nil, prompt: String? = nil,
                dimensions: Int? = nil) throws {
        self.model = model
        self.tokenizer = try tokenizer ?? model.requireTokenizer()
        let c = model.config, st = c.sentenceEmbedding
        let filePooling = st?.pooling ?? [c.embeddingPooling == .cls ? .cls : .mean]
        self.pooling = pooling.map { [$0] } ?? filePooling
        appliesDense = self.pooling.count == filePooling.count
        self.normalize = normalize ?? st?.normalize ?? c.embeddingNormalize ?? false
        includePrompt = st?.includePrompt ?? true
        maxLength = min(st?.maxLength ?? c.maxPositions, c.maxPositions)
        let prompts = st?.prompts ?? [:]
        if let prompt {
            self.prompt = prompt
        } else if let name = promptName ?? st?.defaultPrompt {
            guard let text = prompts[name] else {
                let known = prompts.isEmpty ? "the model has no prompts" : "the model's prompts: " + prompts.keys.sorted().joined(separator: ", ")
                throw TaskError.invalidArgument("no prompt named '\(name)'; \(known)")
            }
            self.prompt = text
        }
        if let dimensions {
            let width = appliesDense ? (st?.dense.last?.outFeatures ?? self.pooling.count * c.hiddenSize) : self.pooling.count * c.hiddenSize
            guard (1...width).contains(dimensions) else {
                throw TaskError.invalidArgument("dimensions must be between 1 and the embedding width \(width), got \(dimensions)")
            }
        }
        self.dimensions = dimensions
    }

    /// The model's named prompts (from `config_sentence_transformers.json`).
    public var prompts: [String: String] { model.config.sentenceEmbedding?.prompts ?? [:] }

    /// The width of the vectors `embed` returns.
    public var dimension: Int {
        let pooled = pooling.count * model.config.hiddenSize
        let full = appliesDense ? (model.sentenceDense.last?.config.outFeatures ?? pooled) : pooled
        return dimensions.map { min($0, full) } ?? full
    }

    public func embed(_ texts: [String], progress: TaskProgress? = nil) throws -> [Embedding] {
        let prefix = prompt ?? ""
        let encoded = tokenizer.encodeTruncating(prefix.isEmpty ? texts : texts.map { prefix + $0 }, maxLength: maxLength)
        let skip = includePrompt || prefix.isEmpty ? 0 : promptLength(prefix)
        var out: [Embedding] = []
        out.reserveCapacity(texts.count)
        try model.forEachBatch(encoded.map(\.encoding.ids), batching: batching, progress: progress) { output, first in
            let rows = output.ranges.count
            var x = output.ranges.indices.flatMap { output.pooled($0, modes: pooling, excludingFirst: skip) }
            if appliesDense { for dense in model.sentenceDense { x = dense(x, rows: rows) } }
            let width = x.count / max(rows, 1), kept = dimensions.map { min($0, width) } ?? width
            for s in 0..<rows {
                let v = Array(x[(s * width)..<(s * width + kept)])
                let e = encoded[first + s]
                out.append(Embedding(vector: normalize ? l2Normalized(v) : v, tokenCount: e.encoding.count, truncated: e.truncated))
            }
        }
        return out
    }

    /// The embedding of one sequence of an encoder output that the caller ran itself: this embedder's
    /// pooling, Dense modules, `dimensions` and normalisation, as `embed` computes them. A host that
    /// batches sequences from several sources into one `model.forward` (a server's queue) gets the
    /// same vectors (to float rounding: the Dense modules run on one row here, on a batch in `embed`).
    /// The caller tokenizes, so a prompt is the caller's to prepend.
    /// - Parameters:
    ///   - output: the result of `model.forward` on token ids this embedder's tokenizer produced.
    ///   - sequence: the index of the sequence in that batch.
    ///   - excludingFirst: leading tokens left out of pooling (a prompt with `includePrompt` false).
    /// - Returns: a vector of `dimension` values.
    public func vector(from output: EncoderOutput, sequence: Int, excludingFirst: Int = 0) -> [Float] {
        var x = output.pooled(sequence, modes: pooling, excludingFirst: excludingFirst)
        if appliesDense { for dense in model.sentenceDense { x = dense(x, rows: 1) } }
        let v = dimensions.map { Array(x.prefix($0)) } ?? x
        return normalize ? l2Normalized(v) : v
    }

    public func embed(_ text: String) throws -> Embedding { try embed([text])[0] }

    /// sentence-transformers' prompt length: the tokens of the prompt encoded alone, minus a trailing
    /// special token ([SEP]); so [CLS] and the prompt's own tokens.
    private func promptLength(_ prompt: String) -> Int {
        let ids = tokenizer.encode(prompt).ids
        return ids.count - (ids.last.map(tokenizer.isSpecial) == true ? 1 : 0)
    }
}

extension Embedder {
    /// The pre-sentence-transformers signature (CLS or mean pooling), kept for source compatibility
    /// (hosts that configure a `ModelConfig.Pooling`).
    public init(model: ModernBert, tokenizer: Tokenizer? = nil, pooling: ModelConfig.Pooling?, normalize: Bool? = nil) throws {
        try self.init(model: model, tokenizer: tokenizer, pooling: pooling.map(SentencePooling.init), normalize: normalize)
    }
}

extension SentencePooling {
    /// The same mode as a classifier-pooling value (`cls` or `mean`).
    public init(_ pooling: ModelConfig.Pooling) {
        switch pooling {
        case .cls: self = .cls
        case .mean: self = .mean
        }
    }
}

extension Array where Element == SentencePooling {
    /// The modes joined by "+" (`mean`, `cls+mean+max`): how `embed --output` metadata and hosts name them.
    public var rawValue: String { map(\.rawValue).joined(separator: "+") }
}
