/// Finds added tokens in a text with the semantics of Hugging Face's `AddedVocabulary`:
/// leftmost-longest, non-overlapping matches (an Aho-Corasick automaton in the reference),
/// then the per-token `single_word`, `lstrip` and `rstrip` rules.
///
/// The set is tiny (about a hundred tokens) and almost all text contains none of their
/// first scalars, so a trie walked only at candidate positions is enough.
struct AddedTokenMatcher: Sendable {
    /// The trie, flattened: node k's edges are `edgeScalars[edgeStart[k]..<edgeStart[k + 1]]`,
    /// sorted, leading to `edgeTargets` at the same indices. ModernBERT's added tokens include
    /// runs of spaces, so the walk starts at every space of the text: a short scan (a binary
    /// search for wide nodes) there costs a fraction of a `Dictionary` lookup's hashing.
    private var edgeStart: [Int32] = [0, 0]
    private var edgeScalars: [UInt32] = []
    private var edgeTargets: [Int32] = []
    /// Index into `tokens` when a token ends at the node, else -1.
    private var nodeToken: [Int32] = [-1]
    private(set) var tokens: [AddedToken] = []
    /// Fast rejection: can a token start with this ASCII scalar? Non-ASCII starts are
    /// checked in the trie root.
    private var asciiStarts = [Bool](repeating: false, count: 128)

    var isEmpty: Bool { tokens.isEmpty }

    /// `patterns[i]` is the scalar sequence to search for `tokens[i]` (its content, NFC
    /// normalized for tokens matched after normalization).
    init(tokens: [AddedToken], patterns: [[UInt32]]) {
        self.tokens = tokens
        var children: [[UInt32: Int32]] = [[:]]
        var token: [Int32] = [-1]
        for (index, pattern) in patterns.enumerated() where !pattern.isEmpty {
            var node = 0
            for v in pattern {
                if let child = children[node][v] {
                    node = Int(child)
                } else {
                    children.append([:])
                    token.append(-1)
                    children[node][v] = Int32(children.count - 1)
                    node = children.count - 1
                }
            }
            if token[node] < 0 { token[node] = Int32(index) }
            if pattern[0] < 128 { asciiStarts[Int(pattern[0])] = true }
        }
        nodeToken = token
        edgeStart = [0]
        for node in children {
            for (v, target) in node.sorted(by: { $0.key < $1.key }) {
                edgeScalars.append(v)
                edgeTargets.append(target)
            }
            edgeStart.append(Int32(edgeScalars.count))
        }
    }

    /// The node reached from `node` by `v`, if any.
    @inline(__always)
    private func child(_ node: Int, _ v: UInt32) -> Int? {
        var lo = Int(edgeStart[node]), hi = Int(edgeStart[node + 1])
        while hi - lo > 8 {
            let mid = (lo + hi) >> 1
            if edgeScalars[mid] < v { lo = mid + 1 } else { hi = mid + 1 }
        }
        while lo < hi {
            if edgeScalars[lo] == v { return Int(edgeTargets[lo]) }
            lo += 1
        }
        return nil
    }

    /// A piece of the text: either an added token or a stretch left for the model.
    struct Split {
        var start: Int
        var end: Int
        /// Index into `tokens`, or -1 for plain text.
        var token: Int
    }

    /// Splits `text[range]` into added tokens and the plain text between them.
    /// `range` is the whole "sentence" for the purpose of the strip and word rules.
    func split(_ text: UnsafeBufferPointer<UInt32>, _ range: Range<Int>, into splits: inout [Split]) {
        var lastEnd = range.lowerBound
        var i = range.lowerBound
        if !tokens.isEmpty {
            while i < range.upperBound {
                let v = text[i]
                if v < 128 && !asciiStarts[Int(v)] { i += 1; continue }
                guard let (tokenIndex, matchEnd) = longestMatch(text, at: i, limit: range.upperBound) else {
                    i += 1
                    continue
                }
                let token = tokens[tokenIndex]
                var start = i
                var stop = matchEnd
                i = matchEnd // a rejected match still consumes its text, as in Aho-Corasick
                if token.singleWord {
                    let before = start > range.lowerBound && Self.isWordScalar(text[start - 1])
                    let after = stop < range.upperBound && Self.isWordScalar(text[stop])
                    if before || after { continue }
                }
                if token.lstrip {
                    var s = start
                    while s > range.lowerBound, Self.isWhitespace(text[s - 1]) { s -= 1 }
                    start = max(s, lastEnd)
                }
                if token.rstrip {
                    while stop < range.upperBound, Self.isWhitespace(text[stop]) { stop += 1 }
                }
                if lastEnd < start { splits.append(Split(start: lastEnd, end: start, token: -1)) }
                splits.append(Split(start: start, end: stop, token: tokenIndex))
                lastEnd = stop
            }
        }
        if lastEnd < range.upperBound {
            splits.append(Split(start: lastEnd, end: range.upperBound, token: -1))
        }
    }

    @inline(__always)
    private func longestMatch(_ text: UnsafeBufferPointer<UInt32>, at start: Int, limit: Int) -> (Int, Int)? {
        var node = 0
        var best: (Int, Int)?
        var i = start
        while i < limit, let next = child(node, text[i]) {
            node = next
            i += 1
            if nodeToken[node] >= 0 { best = (Int(nodeToken[node]), i) }
        }
        return best
    }

    /// Rust's `char::is_whitespace`: the White_Space property.
    @inline(__always)
    static func isWhitespace(_ v: UInt32) -> Bool {
        if v < 128 { return v == 0x20 || (0x09...0x0D).contains(v) }
        return Unicode.Scalar(v)?.properties.isWhitespace ?? false
    }

    /// Unicode `\w` as Rust's regex crate defines it (Hugging Face tests `single_word` with
    /// `\w$` and `^\w`): Alphabetic, marks, decimal digits, connector punctuation, joiners.
    static func isWordScalar(_ v: UInt32) -> Bool {
        guard let scalar = Unicode.Scalar(v) else { return false }
        if v == 0x200C || v == 0x200D || scalar.properties.isAlphabetic { return true }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation:
            return true
        default:
            return false
        }
    }
}
