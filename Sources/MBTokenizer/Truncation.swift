/// Truncation to a maximum length, with Hugging Face's `longest_first` strategy.
///
/// The budget excludes the tokens the template adds. For a pair, the shorter sequence is
/// kept whole if the longer one can absorb the cut; otherwise both get half the budget,
/// the odd token going to the longer one. Tokens are removed from the right.
enum Truncation {
    /// Truncates `sequences` (one or two) so their total fits `budget`.
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

    private static func cut(_ sequence: inout SequenceEncoder.Output, to length: Int) {
        guard sequence.ids.count > length else { return }
        sequence.ids.removeSubrange(length...)
        sequence.offsets.removeSubrange(length...)
    }
}
