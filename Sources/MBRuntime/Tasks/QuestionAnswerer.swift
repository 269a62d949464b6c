import Foundation
import MBTokenizer

/// Extractive question answering with a ModernBertForQuestionAnswering file, following transformers'
/// question-answering pipeline (4.x; 5.x dropped it) step by step:
///
/// 1. `[CLS] question [SEP] context [SEP]`, truncating only the context. A context too long for
///    `maxLength` is split into windows of the same size that overlap by `stride` tokens.
/// 2. Per window: start and end logits of non-context tokens (question, [SEP]) are set to -10000, both
///    are softmaxed (over context tokens and [CLS]), then [CLS] is set to 0.
/// 3. The best span maximises `p_start(s) * p_end(e)` with `s <= e < s + maxAnswerLength`; the best
///    window wins (ties: the earlier window, then the earlier span).
/// 4. The span is widened to whole words (the tokenizer's pre-token words) and cut from the context by
///    character offsets (Unicode scalars, like Python `str` indices).
///
/// ```swift
/// let qa = try QuestionAnswerer(model: model)
/// if let a = try qa(question: "Who created Python?", context: "Python was created by Guido van Rossum.") {
///     print(a.text, a.score, a.start, a.end)
/// }
/// ```
public struct QuestionAnswerer: Sendable {
    public struct Answer: Sendable, Equatable {
        public var text: String
        public var score: Float
        /// Scalar offsets of `text` in the context.
        public var start: Int
        public var end: Int
        /// Which window of the context it came from, and its token positions there.
        public var window: Int
        public var startToken: Int
        public var endToken: Int
    }

    public struct Query: Sendable {
        public var question: String
        public var context: String
        public init(question: String, context: String) { self.question = question; self.context = context }
    }

    public let model: ModernBert
    public let tokenizer: Tokenizer
    /// Tokens per window, special tokens included (capped at the model's maximum length).
    public var maxLength = 384
    /// Overlap between consecutive windows (capped at half of `maxLength`, as the pipeline does).
    public var stride = 128
    public var maxAnswerLength = 15
    public var batching: Batching = .default
    private let head: TaskHead
    private let cls: Int32, sep: Int32

    public init(model: ModernBert, tokenizer: Tokenizer? = nil) throws {
        self.model = model
        self.tokenizer = try tokenizer ?? model.requireTokenizer()
        head = try model.requireHead([.questionAnswering], task: "question answering")
        guard let cls = self.tokenizer.specialTokens.cls, let sep = self.tokenizer.specialTokens.sep else {
            throw TaskError.invalidArgument("question answering needs [CLS] and [SEP] tokens in the tokenizer")
        }
        self.cls = cls
        self.sep = sep
    }

    public func callAsFunction(question: String, context: String) throws -> Answer? {
        try answer([Query(question: question, context: context)])[0]
    }

    /// One window of one query: its token ids and where the context tokens sit.
    struct Window {
        var query: Int
        var ids: [Int32]
        var contextStart: Int           // first context token in the window's ids
        var contextTokens: Range<Int>   // which context tokens (indices into the context encoding)
    }

    /// The token ids of every window the model reads for one query, in order:
    /// `[CLS] question [SEP] part of the context [SEP]` (what `answer` runs; for tests and tools).
    public func windowIds(question: String, context: String) throws -> [[Int32]] {
        let c = tokenizer.encode(context, addSpecialTokens: false)
        return try windows(Query(question: question, context: context), index: 0, context: c).map(\.ids)
    }

    /// Splits one query's context (already encoded as `c`) into windows of at most `maxLength` tokens.
    private func windows(_ query: Query, index qi: Int, context c: Encoding) throws -> [Window] {
        let limit = min(maxLength, model.config.maxPositions)
        let overlap = min(limit / 2, stride)
        let q = tokenizer.encode(query.question, addSpecialTokens: false).ids
        guard c.count > 0 else { throw TaskError.invalidArgument("query \(qi): the context is empty") }
        let budget = limit - 3 - q.count
        guard budget > 0 else {
            throw TaskError.invalidArgument("query \(qi): the question (\(q.count) tokens) leaves no room for context in \(limit) tokens")
        }
        return Self.windows(count: c.count, budget: budget, stride: min(overlap, budget - 1)).map { range in
            Window(query: qi, ids: [cls] + q + [sep] + c.ids[range] + [sep], contextStart: q.count + 2, contextTokens: range)
        }
    }

    /// Best answers for many queries (nil when a context yields no span). All windows are batched.
    public func answer(_ queries: [Query], progress: TaskProgress? = nil) throws -> [Answer?] {
        var windows: [Window] = []
        var contexts: [(encoding: Encoding, words: [Int], text: ScalarText)] = []
        for (qi, query) in queries.enumerated() {
            let c = tokenizer.encode(query.context, addSpecialTokens: false)
            windows += try self.windows(query, index: qi, context: c)
            let text = ScalarText(query.context)
            contexts.append((c, Self.wordIds(c.offsets, text), text))
        }
        var best = [Answer?](repeating: nil, count: queries.count)
        var windowIndex = [Int](repeating: 0, count: queries.count)
        try model.forEachBatch(windows.map(\.ids), batching: batching, progress: progress) { output, first in
            for s in output.ranges.indices {
                let w = windows[first + s]
                let n = windowIndex[w.query]
                windowIndex[w.query] += 1
                let logits = head.logits(output, sequence: s)
                guard let span = bestSpan(logits, window: w) else { continue }
                if let current = best[w.query], current.score >= span.score { continue }
                let ctx = contexts[w.query]
                let (a, b) = characterSpan(span.start, span.end, window: w, offsets: ctx.encoding.offsets, words: ctx.words)
                best[w.query] = Answer(text: ctx.text[a..<b], score: span.score, start: a, end: b, window: n,
                                       startToken: span.start, endToken: span.end)
            }
        }
        return best
    }

    /// `tokenizers`' overflow ranges for truncating one sequence to `budget` with `stride` overlap.
    public static func windows(count: Int, budget: Int, stride: Int) -> [Range<Int>] {
        guard count > budget else { return [0..<count] }
        var out: [Range<Int>] = []
        var start = 0
        while true {
            let stop = min(start + budget, count)
            out.append(start..<stop)
            if stop == count { return out }
            start += budget - stride
        }
    }

    private func bestSpan(_ logits: [Float], window w: Window) -> (start: Int, end: Int, score: Float)? {
        let n = w.ids.count
        let context = w.contextStart..<(w.contextStart + w.contextTokens.count)
        func probabilities(_ column: Int) -> [Double] {
            let masked = (0..<n).map { t -> Double in
                (t == 0 || context.contains(t)) ? Double(logits[t * 2 + column]) : -10000
            }
            let peak = masked.max()!
            let exps = masked.map { exp($0 - peak) }, sum = exps.reduce(0, +)
            var p = exps.map { $0 / sum }
            p[0] = 0   // [CLS] takes part in the normalisation but is never an answer
            return p
        }
        let ps = probabilities(0), pe = probabilities(1)
        var best: (Int, Int, Double) = (0, 0, -1)
        for s in 0..<n {
            for e in s..<min(n, s + maxAnswerLength) where ps[s] * pe[e] > best.2 {
                best = (s, e, ps[s] * pe[e])
            }
        }
        guard context.contains(best.0) || best.0 == 0, context.contains(best.1) || best.1 == 0 else { return nil }
        return (best.0, best.1, Float(best.2))
    }

    /// Window token positions to context character offsets, widened to whole words within the window.
    private func characterSpan(_ s: Int, _ e: Int, window w: Window, offsets: [TokenOffset], words: [Int]) -> (Int, Int) {
        let cs = s - w.contextStart + w.contextTokens.lowerBound
        let ce = e - w.contextStart + w.contextTokens.lowerBound
        guard w.contextTokens.contains(cs), w.contextTokens.contains(ce) else {
            // [CLS] has no word: the pipeline falls back to raw offsets ([CLS] is (0, 0)).
            let start = w.contextTokens.contains(cs) ? offsets[cs].start : 0
            let end = w.contextTokens.contains(ce) ? offsets[ce].end : 0
            return (start, max(start, end))
        }
        let first = w.contextTokens.first { words[$0] == words[cs] }!
        let last = w.contextTokens.last { words[$0] == words[ce] }!
        return (offsets[first].start, offsets[last].end)
    }

    /// Pre-token word index of each token, from offsets: a token continues the previous token's word
    /// when it overlaps it (a character split across byte-level tokens), or touches it without a
    /// space and with the same character class (letters, numbers, other) on both sides, which is
    /// where the GPT-2 pre-tokenizer splits.
    static func wordIds(_ offsets: [TokenOffset], _ text: ScalarText) -> [Int] {
        var ids: [Int] = []
        var word = -1
        for (k, o) in offsets.enumerated() {
            var continues = false
            if k > 0, o.start < text.scalars.count {
                let prev = offsets[k - 1]
                if o.start < prev.end {
                    continues = true
                } else if o.start == prev.end, o.start > 0 {
                    let here = text.charClass(at: o.start)
                    continues = here != .space && here == text.charClass(at: o.start - 1)
                }
            }
            if !continues { word += 1 }
            ids.append(word)
        }
        return ids
    }
}
