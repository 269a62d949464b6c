import MBFormat
import MBTokenizer

/// Cross-encoder reranking with a ModernBertForSequenceClassification file of one label (the
/// gte-reranker-modernbert-base layout) or two (negative, positive).
///
/// Each document is paired with the query through the tokenizer's pair template
/// (`[CLS] query [SEP] document [SEP]`), scored, and the documents are returned best first, in the
/// shape of text-embeddings-inference's `/rerank` (`[{"index", "score"}]`). Scores are what
/// transformers gives for `model(**tokenizer(query, document, truncation=..., max_length=...)).logits`
/// followed by the score function (``Scoring``).
///
/// ```swift
/// let reranker = try Reranker(model: model)
/// let result = try reranker.rerank(query: "How do I remove an item from a list?",
///                                  documents: ["Use list.remove(x).", "Tuples are immutable."])
/// for r in result.ranked { print(r.index, r.score) }
/// ```
public struct Reranker: Sendable {
    /// How a pair's logits become its score.
    public enum Scoring: String, Sendable, Codable {
        /// One label: the sigmoid of the logit (text-embeddings-inference's default).
        case sigmoid
        /// Two labels: the softmax probability of label 1, the positive class.
        case softmaxPositive = "softmax_positive"
        /// No function: the logit (one label), or the positive class's log-odds `logit[1] - logit[0]`
        /// (two labels), so the order is the same as with the probabilities.
        case raw
    }

    /// One ranked document: an item of text-embeddings-inference's `/rerank` response.
    /// `text` is set only when asked for (and then encoded; a nil text is left out of JSON).
    public struct Ranked: Codable, Sendable, Equatable {
        /// The document's position in the input.
        public var index: Int
        public var score: Float
        public var text: String?

        public init(index: Int, score: Float, text: String? = nil) {
            self.index = index
            self.score = score
            self.text = text
        }
    }

    /// The documents of one query, scored.
    public struct Result: Sendable {
        /// Best first (equal scores keep input order), at most `topK`.
        public var ranked: [Ranked]
        /// Every document's score, in input order.
        public var scores: [Float]
        /// Every document's raw logits, in input order (one or two per document).
        public var logits: [[Float]]
        /// Indices of the documents that were cut to fit the model's maximum length.
        public var truncated: [Int]
    }

    public let model: ModernBert
    public let tokenizer: Tokenizer
    /// The score function; by default sigmoid for one label, softmax of label 1 for two.
    public var scoring: Scoring
    /// How a pair longer than `maxLength` is cut. The default, `only_second`, cuts the document
    /// and keeps the query whole; a query that leaves no room for the document is then an error
    /// (``TaskError/cannotTruncate(index:maxLength:reason:)``), while `longest_first` (what
    /// sentence-transformers' CrossEncoder and `truncation=True` use) would cut both.
    public var truncation: TruncationStrategy = .onlySecond
    /// The most tokens a pair may have, special tokens included (at most the model's maximum).
    public var maxLength: Int
    public var batching: Batching = .default

    /// - Parameters:
    ///   - rawScores: return ``Scoring/raw`` scores instead of probabilities.
    /// - Throws: ``TaskError`` unless the file is a sequence classifier with one or two labels.
    public init(model: ModernBert, tokenizer: Tokenizer? = nil, rawScores: Bool = false) throws {
        self.model = model
        self.tokenizer = try tokenizer ?? model.requireTokenizer()
        _ = try model.requireHead([.sequenceClassification], task: "reranking")
        let labels = model.config.numLabels
        guard labels == 1 || labels == 2 else {
            throw TaskError.invalidArgument(
                "reranking needs a sequence classifier with one label (a relevance logit) or two (negative, positive); "
                    + "\(model.file.url.lastPathComponent) has \(labels) labels (use classify --pair for it)")
        }
        scoring = rawScores ? .raw : (labels == 1 ? .sigmoid : .softmaxPositive)
        maxLength = model.config.maxPositions
    }

    /// Scores `documents` against `query` and sorts them.
    /// - Parameters:
    ///   - topK: keep only the best `topK` (default all).
    ///   - returnText: copy each document's text into its ``Ranked`` entry.
    public func rerank(query: String, documents: [String], topK: Int? = nil, returnText: Bool = false,
                       progress: TaskProgress? = nil) throws -> Result {
        let pairs = documents.map { TokenizerInput(query, pair: $0) }
        let (scores, logits, truncated) = try score(pairs, progress: progress)
        let order = scores.indices.sorted { a, b in scores[a] != scores[b] ? scores[a] > scores[b] : a < b }
        let kept = order.prefix(max(0, topK ?? order.count))
        return Result(ranked: kept.map { Ranked(index: $0, score: scores[$0], text: returnText ? documents[$0] : nil) },
                      scores: scores, logits: logits, truncated: truncated)
    }

    /// Scores (query, document) pairs in input order, without sorting (pairs may have different queries).
    /// - Returns: each pair's score and logits, and the indices of the pairs that were truncated.
    public func score(_ pairs: [TokenizerInput], progress: TaskProgress? = nil) throws
        -> (scores: [Float], logits: [[Float]], truncated: [Int]) {
        let head = try model.requireHead([.sequenceClassification], task: "reranking")
        let limit = min(maxLength, model.config.maxPositions)
        let encoded = try tokenizer.encodeTruncating(pairs, maxLength: limit, truncation: truncation)
        var logits: [[Float]] = []
        logits.reserveCapacity(pairs.count)
        try model.forEachBatch(encoded.map(\.encoding.ids), batching: batching, progress: progress) { output, _ in
            for s in output.ranges.indices { logits.append(head.logits(output, sequence: s)) }
        }
        return (logits.map(score), logits, encoded.indices.filter { encoded[$0].truncated })
    }

    /// The score of one pair's logits under ``scoring``.
    public func score(_ logits: [Float]) -> Float {
        switch scoring {
        case .sigmoid: return TaskMath.sigmoid(logits[logits.count - 1])
        case .softmaxPositive: return TaskMath.softmax(logits)[logits.count - 1]
        case .raw: return logits.count == 1 ? logits[0] : logits[1] - logits[0]
        }
    }
}
