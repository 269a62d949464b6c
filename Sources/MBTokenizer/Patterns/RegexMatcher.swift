/// Backtracking over a ``RegexProgram`` with continuations: `match(node, i, k)` matches `node` at
/// scalar `i` and calls `k` with every end position it can reach, in priority order, until `k`
/// accepts. Continuations are non-escaping closures, which Swift keeps on the stack.
///
/// Repetitions of a single scalar (`\p{L}+`, `\s*`, `[^\r\n]{1,3}`), the bulk of tokenizer patterns,
/// count their run in a loop and try the continuation from each length, so the stack does not grow
/// with the text. Repetitions of larger groups recurse once per iteration; past ``maxDepth`` nested
/// calls the attempt fails instead of overflowing a worker thread's stack.
struct RegexMatcher {
    typealias Node = RegexProgram.Node

    /// Bounds the recursion of group repetitions (each level is a few stack frames).
    static let maxDepth = 2_000

    let nodes: UnsafeBufferPointer<Node>
    let lists: UnsafeBufferPointer<Int32>
    let sets: UnsafeBufferPointer<ScalarSet>
    let text: UnsafeBufferPointer<UInt32>
    let lo: Int
    let hi: Int

    /// The end of the highest-priority match of `root` starting at `start`.
    func match(_ root: Int, at start: Int) -> Int? {
        var end = -1
        return m(root, start, 0) { j in
            end = j
            return true
        } ? end : nil
    }

    @inline(__always)
    private func single(_ node: Node, _ v: UInt32) -> Bool {
        switch node.op {
        case .char: return node.flag ? CaseMapping.fold(v) == UInt32(bitPattern: node.a) : v == UInt32(bitPattern: node.a)
        case .set: return node.flag ? sets[Int(node.a)].containsCaseless(v) : sets[Int(node.a)].contains(v)
        default: return false
        }
    }

    @inline(__always)
    private func isWord(_ i: Int) -> Bool { i >= lo && i < hi && UnicodeCategory.isOnigurumaWord(text[i]) }

    private func m(_ index: Int, _ i: Int, _ depth: Int, _ k: (Int) -> Bool) -> Bool {
        let node = nodes[index]
        switch node.op {
        case .char, .set:
            guard i < hi, single(node, text[i]) else { return false }
            return k(i + 1)
        case .sequence:
            return sequence(Int(node.a), Int(node.b), 0, i, depth, k)
        case .alternation:
            for branch in 0..<Int(node.b) where m(Int(lists[Int(node.a) + branch]), i, depth, k) { return true }
            return false
        case .repeatNode:
            return repetition(node, i, depth, k)
        case .lookahead:
            let found = m(Int(node.a), i, depth + 1) { _ in true }
            return found == (node.b == 0) ? k(i) : false
        case .lookbehind:
            var found = false
            for pair in 0..<Int(node.b) {
                let child = Int(lists[Int(node.a) + 2 * pair]), length = Int(lists[Int(node.a) + 2 * pair + 1])
                if i - length >= lo, m(child, i - length, depth + 1, { $0 == i }) {
                    found = true
                    break
                }
            }
            return found == (node.c == 0) ? k(i) : false
        case .atomic:
            var end = -1
            guard m(Int(node.a), i, depth + 1, { j in end = j; return true }) else { return false }
            return k(end)
        case .lineStart:
            return (i == lo || text[i - 1] == 0x0A) ? k(i) : false
        case .lineEnd:
            return (i == hi || text[i] == 0x0A) ? k(i) : false
        case .textStart:
            return i == lo ? k(i) : false
        case .textEnd:
            return i == hi ? k(i) : false
        case .textEndBeforeNewline:
            return (i == hi || (i == hi - 1 && text[i] == 0x0A)) ? k(i) : false
        case .wordBoundary:
            return isWord(i - 1) != isWord(i) ? k(i) : false
        case .notWordBoundary:
            return isWord(i - 1) == isWord(i) ? k(i) : false
        case .empty:
            return k(i)
        }
    }

    private func sequence(_ start: Int, _ count: Int, _ item: Int, _ i: Int, _ depth: Int, _ k: (Int) -> Bool) -> Bool {
        if item == count { return k(i) }
        return m(Int(lists[start + item]), i, depth) { j in sequence(start, count, item + 1, j, depth, k) }
    }

    private func repetition(_ node: Node, _ i: Int, _ depth: Int, _ k: (Int) -> Bool) -> Bool {
        let child = nodes[Int(node.a)]
        let min = Int(node.b), max = node.c < 0 ? Int.max : Int(node.c)
        if child.op == .char || child.op == .set {
            var n = 0
            while n < max, i + n < hi, single(child, text[i + n]) { n += 1 }
            guard n >= min else { return false }
            switch node.mode {
            case .possessive:
                return k(i + n)
            case .greedy:
                var c = n
                while c >= min {
                    if k(i + c) { return true }
                    c -= 1
                }
                return false
            case .lazy:
                for c in min...n where k(i + c) { return true }
                return false
            }
        }
        if node.mode == .possessive {
            var end = -1
            guard groupRepetition(Int(node.a), min, max, .greedy, 0, i, depth + 1, { j in end = j; return true }) else { return false }
            return k(end)
        }
        return groupRepetition(Int(node.a), min, max, node.mode, 0, i, depth + 1, k)
    }

    /// One iteration per level; an iteration that matched nothing ends the loop (as the empty-loop
    /// check of backtracking engines does).
    private func groupRepetition(_ child: Int, _ min: Int, _ max: Int, _ mode: RegexProgram.Mode, _ count: Int,
                                 _ i: Int, _ depth: Int, _ k: (Int) -> Bool) -> Bool {
        guard depth < Self.maxDepth else { return false }
        if count < min {
            return m(child, i, depth) { j in
                groupRepetition(child, min, max, mode, count + 1, j, depth + 1, k)
            }
        }
        if mode == .lazy {
            if k(i) { return true }
            return count < max && m(child, i, depth) { j in
                j != i && groupRepetition(child, min, max, mode, count + 1, j, depth + 1, k)
            }
        }
        if count < max, m(child, i, depth, { j in
            j != i && groupRepetition(child, min, max, mode, count + 1, j, depth + 1, k)
        }) {
            return true
        }
        return k(i)
    }
}
