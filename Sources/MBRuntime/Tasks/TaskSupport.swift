import Foundation
import MBFormat
import MBTokenizer

/// Why a task cannot run on a model or an input.
public enum TaskError: Error, CustomStringConvertible, Equatable {
    case wrongArchitecture(have: String, need: String, task: String)
    case noTokenizer(path: String)
    case noMaskToken
    /// `readLength` is set when the text was truncated: the mask may lie past what the model reads.
    case noMask(text: String, readLength: Int? = nil)
    case invalidArgument(String)
    /// Input `index` (0-based) cannot be cut to `maxLength` tokens with the strategy `reason` names
    /// (transformers raises the same error for it).
    case cannotTruncate(index: Int, maxLength: Int, reason: TruncationError)

    public var description: String {
        switch self {
        case let .wrongArchitecture(have, need, task):
            return "\(task) needs a \(need) model file; this one is \(have)"
        case let .noTokenizer(path):
            return "\(path) was converted without tokenizer.json; text tasks need it (convert the directory that has it)"
        case .noMaskToken:
            return "the tokenizer has no mask token"
        case let .noMask(text, readLength):
            let scope = readLength.map { " within the first \($0) tokens the model reads" } ?? ""
            return "no mask token\(scope) in \"\(text.prefix(60))\"; write [MASK] where a word is missing"
        case let .invalidArgument(why):
            return why
        case let .cannotTruncate(index, maxLength, .sequenceTooShort(strategy, length, toRemove)):
            let which = strategy == .onlySecond ? "second" : "first"
            return "input \(index + 1): \(strategy.rawValue) cannot fit the pair in \(maxLength) tokens: its \(which) text "
                + "has \(length) tokens and \(toRemove) must go (the other text alone is too long); "
                + "use longest_first truncation or shorten it"
        case let .cannotTruncate(index, _, reason):
            return "input \(index + 1): \(reason)"
        }
    }
}

/// How tasks group inputs into forward passes. Sequences of any lengths share one pass
/// (`ModernBert.forward` packs them without padding); a pass holds at most `maxTokens` tokens
/// and `maxSequences` sequences, so memory stays bounded for long inputs.
public struct Batching: Sendable {
    public var maxTokens: Int
    public var maxSequences: Int

    public init(maxTokens: Int = 8192, maxSequences: Int = 64) {
        self.maxTokens = max(1, maxTokens)
        self.maxSequences = max(1, maxSequences)
    }

    public static let `default` = Batching()

    /// Consecutive index ranges whose total length fits the budget (a longer single sequence gets its own).
    public func ranges(lengths: [Int]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = 0, tokens = 0
        for (i, n) in lengths.enumerated() {
            if i > start && (tokens + n > maxTokens || i - start >= maxSequences) {
                out.append(start..<i)
                start = i
                tokens = 0
            }
            tokens += n
        }
        if start < lengths.count { out.append(start..<lengths.count) }
        return out
    }
}

/// Reports work done so far: (items done, items in total). Called on the caller's thread.
public typealias TaskProgress = (_ done: Int, _ total: Int) -> Void

/// One encoded text and whether it had to be cut to the model's maximum length.
public struct EncodedText: Sendable {
    public var encoding: Encoding
    /// The text was longer than the model takes; only its first tokens were used.
    public var truncated: Bool
}

extension ModernBert {
    /// The tokenizer stored in the model file.
    /// - Throws: `TaskError.noTokenizer` when the file was converted without one.
    public func requireTokenizer() throws -> Tokenizer {
        guard let tokenizer = try file.tokenizer() else { throw TaskError.noTokenizer(path: file.url.path) }
        return tokenizer
    }

    func requireHead(_ architectures: [ModelConfig.Architecture], task: String) throws -> TaskHead {
        guard let head, architectures.contains(config.architecture) else {
            throw TaskError.wrongArchitecture(have: config.architecture.rawValue,
                                              need: architectures.map(\.rawValue).joined(separator: " or "), task: task)
        }
        return head
    }

    /// Runs `sequences` through the encoder in budgeted batches; `body` gets each batch's output and
    /// the index of its first sequence. Progress counts sequences.
    func forEachBatch(_ sequences: [[Int32]], batching: Batching, outputHiddenStates: Bool = false,
                      progress: TaskProgress?, _ body: (EncoderOutput, Int) throws -> Void) throws {
        for range in batching.ranges(lengths: sequences.map(\.count)) {
            let output = try forward(Array(sequences[range]), outputHiddenStates: outputHiddenStates)
            try body(output, range.lowerBound)
            progress?(range.upperBound, sequences.count)
        }
    }
}

extension Tokenizer {
    /// Encodes texts with special tokens, cutting any text longer than `maxLength` tokens (flagged).
    public func encodeTruncating(_ texts: [String], maxLength: Int) -> [EncodedText] {
        // One token over the limit tells whether anything was cut without encoding twice in the common case.
        encodeBatch(texts, maxLength: maxLength + 1).enumerated().map { i, encoding in
            guard encoding.count > maxLength else { return EncodedText(encoding: encoding, truncated: false) }
            return EncodedText(encoding: encode(texts[i], maxLength: maxLength), truncated: true)
        }
    }
}

extension Tokenizer {
    /// Encodes texts and text pairs with special tokens, cutting any input longer than `maxLength`
    /// tokens with `truncation` (flagged), exactly as transformers' `tokenizer(text, text_pair,
    /// truncation=..., max_length=...)`.
    /// - Throws: ``TaskError/cannotTruncate(index:maxLength:reason:)`` where transformers raises.
    public func encodeTruncating(_ inputs: [TokenizerInput], maxLength: Int,
                                 truncation: TruncationStrategy) throws -> [EncodedText] {
        if inputs.allSatisfy({ $0.pair == nil }) && truncation == .longestFirst {
            return encodeTruncating(inputs.map(\.text), maxLength: maxLength)   // parallel path
        }
        return try inputs.enumerated().map { i, input in
            do {
                let (encoding, truncated) = try encode(input, maxLength: maxLength, truncation: truncation)
                return EncodedText(encoding: encoding, truncated: truncated)
            } catch let error as TruncationError {
                throw TaskError.cannotTruncate(index: i, maxLength: maxLength, reason: error)
            }
        }
    }
}

/// Numerics shared by the task heads, in Double like numpy's float64 paths where it matters.
enum TaskMath {
    static func softmax(_ row: some Collection<Float>) -> [Float] {
        let peak = row.max() ?? 0
        let exps = row.map { exp(Double($0 - peak)) }
        let sum = exps.reduce(0, +)
        return exps.map { Float($0 / sum) }
    }

    static func logSoftmax(_ row: some Collection<Float>) -> [Double] {
        let peak = Double(row.max() ?? 0)
        let logSum = log(row.reduce(0.0) { $0 + exp(Double($1) - peak) }) + peak
        return row.map { Double($0) - logSum }
    }

    static func sigmoid(_ x: Float) -> Float { Float(1 / (1 + exp(-Double(x)))) }

    /// Rows [start, start + width) of a row-major matrix.
    static func row(_ matrix: [Float], _ r: Int, width: Int) -> ArraySlice<Float> {
        matrix[(r * width)..<((r + 1) * width)]
    }
}

/// Text helpers that work in Unicode-scalar offsets, the unit of `TokenOffset` (and of Python's `str`).
struct ScalarText {
    let scalars: [Unicode.Scalar]

    init(_ text: String) { scalars = Array(text.unicodeScalars) }

    subscript(range: Range<Int>) -> String {
        let lo = max(0, min(range.lowerBound, scalars.count)), hi = max(lo, min(range.upperBound, scalars.count))
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[lo..<hi])
        return String(view)
    }

    func isSpace(at i: Int) -> Bool { i >= 0 && i < scalars.count && scalars[i].properties.isWhitespace }

    /// The GPT-2 pre-tokenizer's character classes: letters, numbers, whitespace, anything else.
    enum CharClass { case letter, number, space, other }

    func charClass(at i: Int) -> CharClass {
        let p = scalars[i].properties
        if p.isWhitespace { return .space }
        switch p.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return .other
        }
    }
}
