import Foundation
import MBTokenizer

/// Masked-word prediction, as transformers' `pipeline("fill-mask")`: for each mask token in a text,
/// the `topK` most probable vocabulary entries with their softmax probability.
///
/// ```swift
/// let fill = try FillMask(model: model)
/// let result = try fill("A list is a mutable [MASK].")
/// print(result.masks[0][0].tokenString, result.masks[0][0].score)   // "list" 0.258
/// ```
public struct FillMask: Sendable {
    public struct Prediction: Sendable, Equatable {
        public var token: Int32
        /// The token as text, surrounding spaces trimmed.
        public var tokenString: String
        public var score: Float
        /// The input with this prediction in place of its mask (other masks kept, [CLS]/[SEP] dropped).
        public var sequence: String
    }

    public struct Result: Sendable {
        public var text: String
        /// One list of predictions per mask token, in text order.
        public var masks: [[Prediction]]
        public var truncated: Bool
    }

    public let model: ModernBert
    public let tokenizer: Tokenizer
    public let maskToken: Int32
    public var topK: Int
    public var batching: Batching = .default
    private let head: TaskHead

    public init(model: ModernBert, tokenizer: Tokenizer? = nil, topK: Int = 5) throws {
        self.model = model
        self.tokenizer = try tokenizer ?? model.requireTokenizer()
        head = try model.requireHead([.maskedLM], task: "fill-mask")
        guard let mask = self.tokenizer.specialTokens.mask else { throw TaskError.noMaskToken }
        maskToken = mask
        self.topK = max(1, topK)
    }

    public func callAsFunction(_ text: String) throws -> Result { try predict([text])[0] }

    /// Predictions for many texts, batched. Every text needs at least one mask token.
    public func predict(_ texts: [String], progress: TaskProgress? = nil) throws -> [Result] {
        let encoded = tokenizer.encodeTruncating(texts, maxLength: model.config.maxPositions)
        let positions = encoded.map { e in e.encoding.ids.indices.filter { e.encoding.ids[$0] == maskToken } }
        if let missing = positions.firstIndex(where: \.isEmpty) {
            throw TaskError.noMask(text: texts[missing], readLength: encoded[missing].truncated ? model.config.maxPositions : nil)
        }
        var results: [Result] = []
        try model.forEachBatch(encoded.map(\.encoding.ids), batching: batching, progress: progress) { output, first in
            for s in output.ranges.indices {
                let i = first + s
                let logits = head.logits(output, sequence: s, positions: positions[i])
                let masks = positions[i].indices.map { k in
                    predictions(TaskMath.row(logits, k, width: head.width), at: positions[i][k], in: encoded[i].encoding,
                                text: ScalarText(texts[i]))
                }
                results.append(Result(text: texts[i], masks: masks, truncated: encoded[i].truncated))
            }
        }
        return results
    }

    private func predictions(_ row: ArraySlice<Float>, at position: Int, in encoding: Encoding, text: ScalarText) -> [Prediction] {
        let probabilities = TaskMath.softmax(row)
        // Partial selection: keep the k best without sorting the whole vocabulary.
        var best: [Int] = []
        for id in probabilities.indices {
            if best.count < topK || probabilities[id] > probabilities[best[best.count - 1]] {
                let at = best.firstIndex { probabilities[id] > probabilities[$0] } ?? best.count
                best.insert(id, at: at)
                if best.count > topK { best.removeLast() }
            }
        }
        return best.map { id in
            Prediction(token: Int32(id),
                       tokenString: tokenizer.decode([Int32(id)], skipSpecialTokens: false).trimmingCharacters(in: .whitespaces),
                       score: probabilities[id], sequence: filledSequence(encoding, text: text, position: position, id: Int32(id)))
        }
    }

    /// The text with one mask filled. Other masks stay visible; since the mask token absorbs the space
    /// before it (lstrip), that space is put back where the original text had one.
    private func filledSequence(_ encoding: Encoding, text: ScalarText, position: Int, id: Int32) -> String {
        let special = tokenizer.specialTokens
        var out = "", segment: [Int32] = []
        for (t, token) in encoding.ids.enumerated() {
            if token == special.cls || token == special.sep || token == special.pad { continue }
            if t == position {
                segment.append(id)
            } else if token == maskToken {
                out += tokenizer.decode(segment, skipSpecialTokens: false)
                segment.removeAll()
                let start = encoding.offsets[t].start
                out += (text.isSpace(at: start) || text.isSpace(at: start - 1) ? " " : "") + (tokenizer.token(forId: token) ?? "")
            } else {
                segment.append(token)
            }
        }
        return out + tokenizer.decode(segment, skipSpecialTokens: false)
    }
}
