/// Which sequence of a pair gives up tokens when an input is longer than the limit: Hugging Face's
/// `truncation=` strategies (`TruncationStrategy` in `tokenizers`, the values transformers'
/// tokenizer `__call__` accepts).
public enum TruncationStrategy: String, Sendable, Codable, CaseIterable {
    /// Cut the longer sequence first; when neither can absorb the cut alone, each keeps half the
    /// budget (the odd token going to the longer). transformers' `truncation=True`.
    case longestFirst = "longest_first"
    /// Cut only the first text; an error when it is too short to absorb the cut.
    case onlyFirst = "only_first"
    /// Cut only the second text (the passage of a question/passage or query/document pair); an
    /// error when there is no second text or it is too short to absorb the cut.
    case onlySecond = "only_second"
}

/// Why an input cannot be truncated to the requested length; the messages are Hugging Face's.
public enum TruncationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `only_second` on an input without a second text.
    case secondSequenceNotProvided
    /// The sequence the strategy may cut is not longer than the number of tokens to remove
    /// (`tokenizers` refuses to leave it empty).
    case sequenceTooShort(strategy: TruncationStrategy, length: Int, toRemove: Int)

    public var description: String {
        switch self {
        case .secondSequenceNotProvided:
            return "Truncation error: Second sequence not provided"
        case let .sequenceTooShort(strategy, length, toRemove):
            return "Truncation error: Sequence to truncate too short to respect the provided max_length "
                + "(\(strategy.rawValue): \(toRemove) tokens to remove, the sequence has \(length))"
        }
    }
}

/// Truncation to a budget, as `tokenizers`' `truncate_encodings` does it.
///
/// The budget excludes the tokens the template adds. Tokens are removed from the right.
enum Truncation {
    /// Truncates `sequences` (one or two) so their total fits `budget` under `strategy`.
    static func apply(_ sequences: inout [SequenceEncoder.Output], budget: Int, strategy: TruncationStrategy) throws {
        switch strategy {
        case .longestFirst:
            longestFirst(&sequences, budget: budget)
        case .onlyFirst, .onlySecond:
            try only(strategy == .onlyFirst ? 0 : 1, &sequences, budget: budget, strategy: strategy)
        }
    }

    /// For a pair, the shorter sequence is kept whole if the longer one can absorb the cut;
    /// otherwise both get half the budget, the odd token going to the longer one.
    static func longestFirst(_ sequences: inout [SequenceEncoder.Output], budget: Int) {
        if budget == 0 {
            for i in sequences.indices { cut(&sequences[i], to: 0) }
            return
        }
        let total = sequences.reduce(0) { $0 + $1.ids.count }
        guard total > budget else { return }
        if sequences.count == 1 {
            cut(&sequences[0], to: budget)
            return
        }
        var n1 = sequences[0].ids.count
        var n2 = sequences[1].ids.count
        let swapped = n1 > n2
        if swapped { swap(&n1, &n2) }
        n2 = n1 > budget ? n1 : max(n1, budget - n1)
        if n1 + n2 > budget {
            n1 = budget / 2
            n2 = n1 + budget % 2
        }
        if swapped { swap(&n1, &n2) }
        cut(&sequences[0], to: n1)
        cut(&sequences[1], to: n2)
    }

    /// `only_first` / `only_second`: the whole cut comes out of sequence `target`. As in `tokenizers`,
    /// a zero budget empties every sequence (that check comes before the target's), and the target
    /// must keep at least one token.
    private static func only(_ target: Int, _ sequences: inout [SequenceEncoder.Output], budget: Int,
                             strategy: TruncationStrategy) throws {
        if budget == 0 {
            for i in sequences.indices { cut(&sequences[i], to: 0) }
            return
        }
        let total = sequences.reduce(0) { $0 + $1.ids.count }
        guard total > budget else { return }
        guard target < sequences.count else { throw TruncationError.secondSequenceNotProvided }
        let length = sequences[target].ids.count, toRemove = total - budget
        guard length > toRemove else {
            throw TruncationError.sequenceTooShort(strategy: strategy, length: length, toRemove: toRemove)
        }
        cut(&sequences[target], to: length - toRemove)
    }

    private static func cut(_ sequence: inout SequenceEncoder.Output, to length: Int) {
        guard sequence.ids.count > length else { return }
        sequence.ids.removeSubrange(length...)
        sequence.offsets.removeSubrange(length...)
    }
}
