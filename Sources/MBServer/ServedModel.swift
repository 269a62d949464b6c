import Foundation
import MBFormat
import MBRuntime
import MBTokenizer

/// The model a server runs, what kind of service it offers (TEI's `ModelType`) and the task types
/// that turn its encoder output into answers: the same `Embedder` and `TextClassifier` the CLI uses.
public final class ServedModel: Sendable {
    /// TEI's model types. A sequence classifier with one label is a reranker (TEI's rule); every other
    /// architecture serves embeddings of its encoder output.
    public enum Kind: String, Sendable {
        case embedding, classifier, reranker
    }

    public let model: ModernBert
    public let tokenizer: Tokenizer
    public let kind: Kind
    /// Embedding models: pooling from the file (or `--pooling`), normalisation chosen per request.
    public let embedder: Embedder?
    /// Classifiers and rerankers: `/predict` (texts and text pairs).
    public let classifier: TextClassifier?
    /// Rerankers: `/rerank` scores (query, text) pairs as `mbconvert rerank` does.
    public let reranker: Reranker?
    /// Longest input in tokens: the model's positions, or `--max-batch-tokens` when that is smaller
    /// (then only with `--auto-truncate`, as TEI).
    public let maxInputLength: Int
    /// The weights' storage as TEI names dtypes ("float32", "float16", "bfloat16", "int8").
    public let dtype: String

    /// - Throws: `TaskError` for a file without a tokenizer, `ServeError` for a batch budget smaller
    ///   than the model's inputs without `autoTruncate`.
    public init(model: ModernBert, configuration: ServerConfiguration) throws {
        self.model = model
        tokenizer = try model.requireTokenizer()
        let c = model.config
        switch c.architecture {
        case .sequenceClassification:
            // Scores follow the checkpoint's problem_type, as the CLI's `classify` (TEI ignores it:
            // softmax for several labels, sigmoid for one, which is the same unless problem_type says otherwise).
            classifier = try TextClassifier(model: model, tokenizer: tokenizer)
            kind = c.numLabels == 1 ? .reranker : .classifier
            reranker = kind == .reranker ? try Reranker(model: model, tokenizer: tokenizer) : nil
            embedder = nil
        case .base, .maskedLM, .tokenClassification, .questionAnswering:
            kind = .embedding
            embedder = try Embedder(model: model, tokenizer: tokenizer, pooling: configuration.pooling, normalize: false)
            classifier = nil
            reranker = nil
        }
        if c.maxPositions > configuration.maxBatchTokens && !configuration.autoTruncate {
            throw ServeError("the model takes inputs of \(c.maxPositions) tokens, more than --max-batch-tokens \(configuration.maxBatchTokens): raise --max-batch-tokens to at least \(c.maxPositions), or pass --auto-truncate to cut inputs to \(configuration.maxBatchTokens) tokens")
        }
        maxInputLength = min(c.maxPositions, configuration.maxBatchTokens)
        dtype = Self.dominantDType(model.file)
    }

    /// Label names by class index (the checkpoint's id2label, else LABEL_i), for classifiers.
    public var labels: [String] { classifier?.labels ?? [] }

    /// The dtype holding most of the file's weight bytes.
    static func dominantDType(_ file: ModelFile) -> String {
        var bytes: [DType: Int] = [:]
        for t in file.tensors { bytes[t.dtype, default: 0] += Int(t.length) }
        switch bytes.max(by: { $0.value < $1.value })?.key {
        case .f16: return "float16"
        case .bf16: return "bfloat16"
        case .i8: return "int8"
        default: return "float32"
        }
    }
}

/// A reason the server cannot start (printed by the CLI).
public struct ServeError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
