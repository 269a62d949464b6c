import MBTokenizer

/// Token classification (named entities and other tagging) with a ModernBertForTokenClassification
/// file, grouped into entities as transformers' `pipeline("token-classification", aggregation_strategy=...)`.
///
/// Each token gets softmax probabilities over the labels. With `.simple` (the default), consecutive
/// tokens whose labels share a type (`B-PER`, `I-PER`, ...; a new `B-` starts a new entity) become one
/// entity with the mean of their scores, the character span from the first token's start to the last
/// token's end, and the decoded text of those tokens as `word`. `.first`, `.average` and `.max` first
/// make whole words agree on one label (words are tokens joined until one starts at a space, the
/// pipeline's rule for tokenizers without word markers), then group words the same way. Entities whose
/// label is in `ignoredLabels` ("O") are dropped. Offsets are Unicode-scalar indices into the text.
///
/// ```swift
/// let ner = try TokenClassifier(model: model)
/// for e in try ner("Marie Curie moved to Paris.").entities { print(e.label, e.word, e.start, e.end, e.score) }
/// ```
public struct TokenClassifier: Sendable {
    public enum Aggregation: String, Sendable, CaseIterable { case none, simple, first, average, max }

    public struct Entity: Sendable, Equatable {
        /// The entity type (`PER` for `B-PER`/`I-PER` tokens); the raw label with `.none`.
        public var label: String
        public var score: Float
        public var word: String
        public var start: Int
        public var end: Int
        /// Token position, for `.none` only.
        public var index: Int?
    }

    public struct Result: Sendable {
        public var entities: [Entity]
        public var truncated: Bool
    }

    public let model: ModernBert
    public let tokenizer: Tokenizer
    public let labels: [String]
    public var aggregation: Aggregation
    public var ignoredLabels: Set<String>
    public var batching: Batching = .default
    private let head: TaskHead

    public init(model: ModernBert, tokenizer: Tokenizer? = nil, aggregation: Aggregation = .simple,
                ignoredLabels: Set<String> = ["O"]) throws {
        self.model = model
        self.tokenizer = try tokenizer ?? model.requireTokenizer()
        head = try model.requireHead([.tokenClassification], task: "token classification")
        labels = model.config.labels ?? (0..<model.config.numLabels).map { "LABEL_\($0)" }
        self.aggregation = aggregation
        self.ignoredLabels = ignoredLabels
    }

    public func callAsFunction(_ text: String) throws -> Result { try recognize([text])[0] }

    public func recognize(_ texts: [String], progress: TaskProgress? = nil) throws -> [Result] {
        let encoded = tokenizer.encodeTruncating(texts, maxLength: model.config.maxPositions)
        var results: [Result] = []
        try model.forEachBatch(encoded.map(\.encoding.ids), batching: batching, progress: progress) { output, first in
            for s in output.ranges.indices {
                let i = first + s
                let logits = head.logits(output, sequence: s)
                results.append(Result(entities: entities(logits, encoded[i].encoding, ScalarText(texts[i])),
                                      truncated: encoded[i].truncated))
            }
        }
        return results
    }

    /// A token the pipeline considers: its probabilities, vocabulary spelling and span.
    private struct Piece {
        var probabilities: [Float]
        var token: String
        var start: Int, end: Int, index: Int
        var isSubword: Bool
    }

    private func entities(_ logits: [Float], _ encoding: Encoding, _ text: ScalarText) -> [Entity] {
        var pieces: [Piece] = []
        for t in 0..<encoding.count where !encoding.specialTokensMask[t] {
            let o = encoding.offsets[t]
            var token = tokenizer.token(forId: encoding.ids[t]) ?? ""
            // The pipeline's fallback for tokenizers without continuing-subword markers.
            var isSubword = o.start > 0 && !(text.isLiteralSpace(o.start - 1) || text.isLiteralSpace(o.start))
            if encoding.ids[t] == tokenizer.specialTokens.unk {
                token = text[o.start..<o.end]
                isSubword = false
            }
            pieces.append(Piece(probabilities: TaskMath.softmax(TaskMath.row(logits, t, width: head.width)),
                                token: token, start: o.start, end: o.end, index: t, isSubword: isSubword))
        }
        var tagged: [Entity]
        switch aggregation {
        case .none, .simple:
            tagged = pieces.map { p in
                let best = argmax(p.probabilities)
                return Entity(label: labels[best], score: p.probabilities[best], word: p.token, start: p.start, end: p.end, index: p.index)
            }
        case .first, .average, .max:
            tagged = words(pieces).map(wordEntity)
        }
        if aggregation != .none { tagged = group(tagged) }
        return tagged.filter { !ignoredLabels.contains($0.label) }
    }

    private func words(_ pieces: [Piece]) -> [[Piece]] {
        var out: [[Piece]] = []
        for p in pieces {
            if p.isSubword, !out.isEmpty { out[out.count - 1].append(p) } else { out.append([p]) }
        }
        return out
    }

    private func wordEntity(_ word: [Piece]) -> Entity {
        let probabilities: [Float]
        switch aggregation {
        case .average:
            probabilities = (0..<labels.count).map { k in word.reduce(Float(0)) { $0 + $1.probabilities[k] } / Float(word.count) }
        case .max:
            var best = word[0]
            for p in word.dropFirst() where p.probabilities.max()! > best.probabilities.max()! { best = p }
            probabilities = best.probabilities
        default:
            probabilities = word[0].probabilities
        }
        let k = argmax(probabilities)
        return Entity(label: labels[k], score: probabilities[k], word: tokenizer.string(fromTokens: word.map(\.token)),
                      start: word[0].start, end: word[word.count - 1].end, index: nil)
    }

    /// The pipeline's `group_entities`: B-/I- prefixes split off; a run continues while the type is the
    /// same and the next tag is not B-.
    private func group(_ tagged: [Entity]) -> [Entity] {
        func tag(_ label: String) -> (begin: Bool, type: String) {
            if label.hasPrefix("B-") { return (true, String(label.dropFirst(2))) }
            if label.hasPrefix("I-") { return (false, String(label.dropFirst(2))) }
            return (false, label)
        }
        var groups: [[Entity]] = []
        for e in tagged {
            if let last = groups.last?.last, tag(e.label).type == tag(last.label).type, !tag(e.label).begin {
                groups[groups.count - 1].append(e)
            } else {
                groups.append([e])
            }
        }
        return groups.map { g in
            let first = g[0].label
            let type = first.firstIndex(of: "-").map { String(first[first.index(after: $0)...]) } ?? first
            let score = g.reduce(0.0) { $0 + Double($1.score) } / Double(g.count)
            return Entity(label: type, score: Float(score), word: tokenizer.string(fromTokens: g.map(\.word)),
                          start: g[0].start, end: g[g.count - 1].end, index: nil)
        }
    }

    private func argmax(_ v: [Float]) -> Int {
        var best = 0
        for i in v.indices where v[i] > v[best] { best = i }
        return best
    }
}

extension ScalarText {
    /// Whether the scalar at `i` is U+0020 (the pipeline tests for a literal space, not any whitespace).
    func isLiteralSpace(_ i: Int) -> Bool { i >= 0 && i < scalars.count && scalars[i] == " " }
}
