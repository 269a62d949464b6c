import MBFormat
import MBTokenizer

/// Sequence classification with a ModernBertForSequenceClassification file, scored as transformers'
/// `pipeline("text-classification", top_k=None)` does:
///
/// | `problem_type` | `num_labels` | scores |
/// |---|---|---|
/// | `regression` | any | raw logits |
/// | `multi_label_classification` | any | sigmoid of each logit (independent) |
/// | unset | 1 | sigmoid (transformers' pipeline rule) |
/// | `single_label_classification` or unset | > 1 | softmax over labels |
///
/// Label names come from the checkpoint's `id2label`, or `LABEL_i` when it has none.
public struct TextClassifier: Sendable {
    public enum Function: String, Sendable { case softmax, sigmoid, none }

    public struct LabelScore: Sendable, Equatable {
        public var label: String
        public var index: Int
        public var score: Float
    }

    public struct Result: Sendable {
        /// Every label, best first (a regression model has one entry: its value).
        public var scores: [LabelScore]
        public var logits: [Float]
        public var truncated: Bool
        public var best: LabelScore { scores[0] }
    }

    public let model: ModernBert
    public let tokenizer: Tokenizer
    public let labels: [String]
    public var function: Function
    /// The most tokens an input may have, special tokens included (at most the model's maximum
    /// positions, the default); longer inputs are truncated and flagged.
    public var maxLength: Int
    public var batching: Batching = .default
    private let head: TaskHead

    public init(model: ModernBert, tokenizer: Tokenizer? = nil, function: Function? = nil) throws {
        self.model = model
        self.tokenizer = try tokenizer ?? model.requireTokenizer()
        head = try model.requireHead([.sequenceClassification], task: "text classification")
        let c = model.config
        labels = c.labels ?? (0..<c.numLabels).map { "LABEL_\($0)" }
        self.function = function ?? Self.defaultFunction(problemType: c.problemType, numLabels: c.numLabels)
        maxLength = c.maxPositions
    }

    private var limit: Int { min(maxLength, model.config.maxPositions) }

    /// transformers' pipeline choice of output function.
    public static func defaultFunction(problemType: String?, numLabels: Int) -> Function {
        switch problemType {
        case "regression": return .none
        case "multi_label_classification": return .sigmoid
        case "single_label_classification": return .softmax
        default: return numLabels == 1 ? .sigmoid : .softmax
        }
    }

    public func callAsFunction(_ text: String) throws -> Result { try classify([text])[0] }

    /// Classifies one text pair (premise and hypothesis, query and document, ...).
    public func callAsFunction(_ text: String, pair: String,
                               truncation: TruncationStrategy = .longestFirst) throws -> Result {
        try classify([TokenizerInput(text, pair: pair)], truncation: truncation)[0]
    }

    public func classify(_ texts: [String], progress: TaskProgress? = nil) throws -> [Result] {
        try classify(encoded: tokenizer.encodeTruncating(texts, maxLength: limit), progress: progress)
    }

    /// Classifies texts and text pairs: a pair goes through the tokenizer's pair template
    /// (`[CLS] text [SEP] text_pair [SEP]`), as `pipeline("text-classification")` does with
    /// `{"text", "text_pair"}` inputs.
    /// - Parameters:
    ///   - truncation: how an input longer than ``maxLength`` is cut (transformers'
    ///     `truncation=`; `longest_first` is its `truncation=True`). Truncated results are flagged.
    /// - Throws: ``TaskError/cannotTruncate(index:maxLength:reason:)`` when the strategy cannot cut an
    ///   input (as transformers raises), ``TaskError`` for the wrong model.
    public func classify(_ inputs: [TokenizerInput], truncation: TruncationStrategy = .longestFirst,
                         progress: TaskProgress? = nil) throws -> [Result] {
        let encoded = try tokenizer.encodeTruncating(inputs, maxLength: limit, truncation: truncation)
        return try classify(encoded: encoded, progress: progress)
    }

    private func classify(encoded: [EncodedText], progress: TaskProgress?) throws -> [Result] {
        var results: [Result] = []
        try model.forEachBatch(encoded.map(\.encoding.ids), batching: batching, progress: progress) { output, first in
            for s in output.ranges.indices {
                results.append(result(from: output, sequence: s, truncated: encoded[first + s].truncated))
            }
        }
        return results
    }

    /// The classification of one sequence of an encoder output that the caller ran itself (head, then
    /// this classifier's `function`). `classify` calls it for every sequence; a host that batches
    /// sequences from several sources into one `model.forward` (a server's queue) gets the same results.
    /// - Parameters:
    ///   - output: the result of `model.forward` on token ids this classifier's tokenizer produced.
    ///   - sequence: the index of the sequence in that batch.
    ///   - truncated: recorded in the result (the caller knows whether it cut the text).
    public func result(from output: EncoderOutput, sequence: Int, truncated: Bool = false) -> Result {
        let logits = head.logits(output, sequence: sequence)
        return Result(scores: scores(logits), logits: logits, truncated: truncated)
    }

    func scores(_ logits: [Float]) -> [LabelScore] {
        let values: [Float]
        switch function {
        case .softmax: values = TaskMath.softmax(logits)
        case .sigmoid: values = logits.map(TaskMath.sigmoid)
        case .none: values = logits
        }
        let all = values.enumerated().map { LabelScore(label: labels[$0.offset], index: $0.offset, score: $0.element) }
        // Stable: equal scores keep label order, as Python's sort does.
        return all.enumerated().sorted { a, b in
            a.element.score != b.element.score ? a.element.score > b.element.score : a.offset < b.offset
        }.map(\.element)
    }
}
