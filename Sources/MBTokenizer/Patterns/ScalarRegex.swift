/// A regular expression over Unicode scalars with the semantics of Oniguruma (Ruby syntax), the
/// engine Hugging Face `tokenizers` compiles `Split` and `Replace` patterns with.
///
/// Why not `Regex` or `NSRegularExpression`: their classes differ from Oniguruma's (`\w`, `\s`,
/// `.` and `$` all do), they search strings by grapheme or UTF-16 offsets rather than by scalar
/// within bounds, and either would cost a `String` per piece. This is a small backtracking matcher
/// over the scalar buffer the tokenizer already holds, leftmost-first like Oniguruma.
///
/// Supported: literals and escapes (`\t \n \r \f \v \a \e \xHH \x{H…} \uHHHH`, escaped
/// punctuation), `.`, classes with ranges, negation, nesting and `&&`, `\d \D \w \W \s \S \h \H`,
/// `\p{…}`/`\P{…}`/`\p{^…}` for general categories (short and long names), `Alphabetic`,
/// `White_Space`, `Any`, `Assigned`, `Emoji`; groups `(…)`, `(?:…)`, `(?<name>…)`, `(?>…)`,
/// `(?=…)`, `(?!…)`, `(?<=…)`, `(?<!…)` (fixed-length alternatives), inline flags `i` and `m`
/// (`(?i)`, `(?i:…)`, `(?-i)`); quantifiers `* + ? {n} {n,} {,m} {n,m}` with lazy `?` and possessive
/// `+`; anchors `^ $ \A \z \Z \b \B`. Anything else (back-references, scripts such as `\p{Han}`,
/// POSIX brackets, `\K`, `\G`, `\R`, `\X`, `(?x)`, conditionals) is refused when the tokenizer
/// loads, with the construct named. Case-insensitive matching uses simple case folding, so `ß` does
/// not match `ss`; nested repetitions of a group deeper than ``RegexMatcher/maxDepth`` fail
/// rather than exhaust the stack.
struct ScalarRegex: Sendable {
    let program: RegexProgram

    init(_ pattern: String) throws {
        program = try RegexParser.parse(pattern)
    }

    /// The leftmost match starting at or after `from` within `bounds` (which act as the text's ends for
    /// anchors and look-behind), as Oniguruma's `search` with range `from..<bounds.upperBound`.
    func firstMatch(in text: UnsafeBufferPointer<UInt32>, bounds: Range<Int>, from: Int) -> Range<Int>? {
        program.nodes.withUnsafeBufferPointer { nodes in
            program.lists.withUnsafeBufferPointer { lists in
                program.sets.withUnsafeBufferPointer { sets in
                    let matcher = RegexMatcher(nodes: nodes, lists: lists, sets: sets, text: text,
                                               lo: bounds.lowerBound, hi: bounds.upperBound)
                    var start = from
                    while start <= bounds.upperBound {
                        if let end = matcher.match(program.root, at: start) { return start..<end }
                        start += 1
                    }
                    return nil
                }
            }
        }
    }

    /// Every match in `bounds`, as the `onig` crate's `find_iter` yields them: after an empty match
    /// that ends where the previous match ended, the search moves on by one scalar.
    func forEachMatch(in text: UnsafeBufferPointer<UInt32>, bounds: Range<Int>, _ body: (Range<Int>) -> Void) {
        var from = bounds.lowerBound
        var lastMatchEnd: Int?
        while from <= bounds.upperBound {
            guard let match = firstMatch(in: text, bounds: bounds, from: from) else { return }
            if match.isEmpty, lastMatchEnd == match.upperBound {
                from += 1
                continue
            }
            from = match.upperBound
            lastMatchEnd = match.upperBound
            body(match)
        }
    }
}

/// A parse error, reported when the tokenizer loads.
struct RegexSyntaxError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// The compiled pattern: nodes in a flat array (children by index), so matching touches no
/// reference-counted storage.
struct RegexProgram: Sendable {
    enum Op: UInt8, Sendable {
        /// `a` = scalar (folded when `flag` = caseless).
        case char
        /// `a` = index into `sets`; `flag` = caseless.
        case set
        /// `a`, `b`: first index and count in `lists`.
        case sequence, alternation
        /// `a` = child, `b` = min, `c` = max (-1 for none), `mode`.
        case repeatNode
        /// `a` = child; `b` = 0 ahead, 1 negative ahead.
        case lookahead
        /// `a`, `b`: (node, length) pairs in `lists`; `c` = 1 when negative.
        case lookbehind
        /// `a` = child.
        case atomic
        /// `^`, `$` (line anchors), `\A`, `\z`, `\Z`, `\b`, `\B`.
        case lineStart, lineEnd, textStart, textEnd, textEndBeforeNewline, wordBoundary, notWordBoundary
        case empty
    }

    enum Mode: UInt8, Sendable { case greedy, lazy, possessive }

    struct Node: Sendable {
        var op: Op
        var a: Int32 = 0
        var b: Int32 = 0
        var c: Int32 = 0
        var flag = false
        var mode = Mode.greedy
    }

    var nodes: [Node] = []
    var lists: [Int32] = []
    var sets: [ScalarSet] = []
    var root = 0

    mutating func add(_ node: Node) -> Int {
        nodes.append(node)
        return nodes.count - 1
    }

    mutating func addList(_ op: Op, _ children: [Int]) -> Int {
        let start = lists.count
        lists.append(contentsOf: children.map { Int32($0) })
        return add(Node(op: op, a: Int32(start), b: Int32(children.count)))
    }

    mutating func addSet(_ set: ScalarSet, caseless: Bool) -> Int {
        sets.append(set)
        return add(Node(op: .set, a: Int32(sets.count - 1), flag: caseless))
    }

    /// The number of scalars `node` always matches, or nil when it varies.
    func fixedLength(_ index: Int) -> Int? {
        let node = nodes[index]
        switch node.op {
        case .char, .set: return 1
        case .sequence:
            var total = 0
            for k in 0..<Int(node.b) {
                guard let length = fixedLength(Int(lists[Int(node.a) + k])) else { return nil }
                total += length
            }
            return total
        case .alternation:
            var common: Int?
            for k in 0..<Int(node.b) {
                guard let length = fixedLength(Int(lists[Int(node.a) + k])), common == nil || common == length else { return nil }
                common = length
            }
            return common ?? 0
        case .repeatNode:
            guard node.b == node.c, let length = fixedLength(Int(node.a)) else { return nil }
            return length * Int(node.b)
        case .atomic: return fixedLength(Int(node.a))
        case .lookahead, .lookbehind, .lineStart, .lineEnd, .textStart, .textEnd, .textEndBeforeNewline,
             .wordBoundary, .notWordBoundary, .empty:
            return 0
        }
    }
}
