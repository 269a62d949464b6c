import Foundation
import MBTokenizer

/// Zero-shot classification with a masked-language model: the text is put into a template with one
/// mask, and each candidate label word is scored as the filler of that mask.
///
/// Scoring, for a label whose word encodes to tokens t1...tn (with a leading space when the template has
/// whitespace before the mask, as a word in running text would): the mask is widened to n masks and
/// the label's score is the mean log-probability of t1...tn at those positions (one forward pass per
/// label, all batched). Label probabilities are the softmax of these scores over the labels, so they
/// sum to 1. For single-token labels this is exactly the model's fill-mask probability renormalised
/// over the candidates; the mean (rather than the sum) keeps long label words from being penalised
/// for their length.
///
/// ```swift
/// let zero = try ZeroShotClassifier(model: mlm, template: "{text} Overall, it was a [MASK] experience.")
/// let result = try zero("The food was cold and the waiter rude.", labels: ["good", "bad", "great"])
/// ```
public struct ZeroShotClassifier: Sendable {
    public struct LabelScore: Sendable, Equatable {
        public var label: String
        public var score: Float
        /// Mean log-probability of the label's tokens at the mask(s).
        public var logProbability: Double
        public var tokens: [Int32]
    }

    public struct Result: Sendable {
        public var text: String
        /// Every label, best first.
        public var scores: [LabelScore]
        public var truncated: Bool
    }

    public static let defaultTemplate = "{text} This text is about [MASK]."

    public let model: ModernBert
    public let tokenizer: Tokenizer
    /// Must contain `{text}` and exactly one mask token.
    public let template: String
    public var batching: Batching = .default
    /// Tokens per prompt, special tokens and widened masks included (default and cap: the model's maximum).
    public var maxLength: Int?
    private let head: TaskHead
    private let maskToken: Int32

    public init(model: ModernBert, tokenizer: Tokenizer? = nil, template: String = defaultTemplate) throws {
        self.model = model
        self.tokenizer = try tokenizer ?? model.requireTokenizer()
        head = try model.requireHead([.maskedLM], task: "zero-shot classification")
        guard let mask = self.tokenizer.specialTokens.mask else { throw TaskError.noMaskToken }
        maskToken = mask
        guard template.contains("{text}") else {
            throw TaskError.invalidArgument("the template needs {text} where the input goes: \(template)")
        }
        let masks = self.tokenizer.encode(template, addSpecialTokens: false).ids.filter { $0 == mask }.count
        guard masks == 1 else {
            throw TaskError.invalidArgument("the template needs exactly one mask token, found \(masks): \(template)")
        }
        self.template = template
    }

    public func callAsFunction(_ text: String, labels: [String]) throws -> Result {
        try classify([text], labels: labels)[0]
    }

    public func classify(_ texts: [String], labels: [String], progress: TaskProgress? = nil) throws -> [Result] {
        guard !labels.isEmpty else { throw TaskError.invalidArgument("give at least one label") }
        let labelTokens = try labels.map { label -> [Int32] in
            let ids = tokenizer.encode(spaceBeforeMask(template) + label, addSpecialTokens: false).ids
            guard !ids.isEmpty else { throw TaskError.invalidArgument("label \"\(label)\" encodes to no tokens") }
            return ids
        }
        // Room for the longest label's extra masks; an over-long text is cut, never the template (its mask).
        let extra = (labelTokens.map(\.count).max() ?? 1) - 1
        let overhead = tokenizer.encode(template.replacingOccurrences(of: "{text}", with: "")).count
        let limit = min(maxLength ?? model.config.maxPositions, model.config.maxPositions)
        let room = limit - extra - overhead
        guard room > 0 else { throw TaskError.invalidArgument("the template and labels leave no room for text") }
        var cut = [Bool](repeating: false, count: texts.count)
        let prompts = texts.enumerated().map { i, text -> String in
            var text = text
            let e = tokenizer.encode(text, addSpecialTokens: false)
            if e.count > room {
                text = ScalarText(text)[0..<e.offsets[room].start]
                cut[i] = true
            }
            return template.replacingOccurrences(of: "{text}", with: text)
        }
        var encoded = tokenizer.encodeTruncating(prompts, maxLength: limit - extra)
        for i in encoded.indices { encoded[i].truncated = encoded[i].truncated || cut[i] }
        var sequences: [[Int32]] = [], maskAt: [Int] = []
        for (t, e) in encoded.enumerated() {
            guard let p = e.encoding.ids.firstIndex(of: maskToken) else { throw TaskError.noMask(text: texts[t]) }
            for tokens in labelTokens {
                var ids = e.encoding.ids
                ids.replaceSubrange(p...p, with: [Int32](repeating: maskToken, count: tokens.count))
                sequences.append(ids)
                maskAt.append(p)
            }
        }
        var logProbs = [Double](repeating: 0, count: sequences.count)
        try model.forEachBatch(sequences, batching: batching, progress: progress) { output, first in
            for s in output.ranges.indices {
                let i = first + s, tokens = labelTokens[i % labels.count]
                let logits = head.logits(output, sequence: s, positions: (0..<tokens.count).map { maskAt[i] + $0 })
                var total = 0.0
                for (k, token) in tokens.enumerated() {
                    total += TaskMath.logSoftmax(TaskMath.row(logits, k, width: head.width))[Int(token)]
                }
                logProbs[i] = total / Double(tokens.count)
            }
        }
        return texts.indices.map { t in
            let scores = Array(logProbs[(t * labels.count)..<((t + 1) * labels.count)])
            let peak = scores.max() ?? 0
            let exps = scores.map { exp($0 - peak) }, sum = exps.reduce(0, +)
            let all = labels.indices.map {
                LabelScore(label: labels[$0], score: Float(exps[$0] / sum), logProbability: scores[$0], tokens: labelTokens[$0])
            }
            let ranked = all.enumerated().sorted { a, b in
                a.element.score != b.element.score ? a.element.score > b.element.score : a.offset < b.offset
            }.map(\.element)
            return Result(text: texts[t], scores: ranked, truncated: encoded[t].truncated)
        }
    }

    /// " " when the template has whitespace right before the mask (the mask token absorbs it, so the
    /// label word must carry it, as "Ġgood" does), otherwise "".
    private func spaceBeforeMask(_ template: String) -> String {
        let maskText = tokenizer.token(forId: maskToken) ?? "[MASK]"
        guard let r = template.range(of: maskText), r.lowerBound > template.startIndex else { return "" }
        return template[template.index(before: r.lowerBound)].isWhitespace ? " " : ""
    }
}
