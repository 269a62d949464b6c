/// Parses the Oniguruma (Ruby syntax) subset ``ScalarRegex`` documents into a ``RegexProgram``.
struct RegexParser {
    private struct Flags {
        var caseless = false
        /// Ruby's `m`: `.` also matches a newline.
        var dotAll = false
    }

    private let pattern: [UInt32]
    private var pos = 0
    private var program = RegexProgram()
    private static let maxNesting = 64

    private init(_ text: String) { pattern = text.unicodeScalars.map(\.value) }

    static func parse(_ text: String) throws -> RegexProgram {
        var parser = RegexParser(text)
        var flags = Flags()
        let root = try parser.alternation(&flags, depth: 0)
        if parser.pos < parser.pattern.count { throw parser.error("unmatched ')'") }
        parser.program.root = root
        return parser.program
    }

    private func error(_ message: String) -> RegexSyntaxError {
        RegexSyntaxError(message: "\(message) at offset \(pos)")
    }

    private var atEnd: Bool { pos >= pattern.count }
    private func peek(_ ahead: Int = 0) -> UInt32? { pos + ahead < pattern.count ? pattern[pos + ahead] : nil }
    private func isNext(_ c: Character) -> Bool { peek() == c.unicodeScalars.first!.value }

    private mutating func next() throws -> UInt32 {
        guard let c = peek() else { throw error("unexpected end of pattern") }
        pos += 1
        return c
    }

    private mutating func expect(_ c: Character) throws {
        guard isNext(c) else { throw error("expected '\(c)'") }
        pos += 1
    }

    // MARK: - Structure

    /// `flags` may be changed by an isolated `(?i)`, which lasts to the end of the enclosing group.
    private mutating func alternation(_ flags: inout Flags, depth: Int) throws -> Int {
        guard depth < Self.maxNesting else { throw error("groups nested too deeply") }
        var branches = [try sequence(&flags, depth: depth)]
        while isNext("|") {
            pos += 1
            branches.append(try sequence(&flags, depth: depth))
        }
        return branches.count == 1 ? branches[0] : program.addList(.alternation, branches)
    }

    private mutating func sequence(_ flags: inout Flags, depth: Int) throws -> Int {
        var items: [Int] = []
        while !atEnd, !isNext("|"), !isNext(")") {
            if let atom = try atom(&flags, depth: depth) { items.append(try quantified(atom)) }
        }
        if items.count == 1 { return items[0] }
        return items.isEmpty ? program.add(.init(op: .empty)) : program.addList(.sequence, items)
    }

    private mutating func quantified(_ atom: Int) throws -> Int {
        var node = atom
        while let c = peek() {
            var min: Int32, max: Int32, exact = false
            switch c {
            case 0x2A: (min, max) = (0, -1); pos += 1 // *
            case 0x2B: (min, max) = (1, -1); pos += 1 // +
            case 0x3F: (min, max) = (0, 1); pos += 1 // ?
            case 0x7B: // {
                guard let interval = try interval() else { return node }
                (min, max, exact) = interval
            default:
                return node
            }
            var mode = RegexProgram.Mode.greedy
            if isNext("?") {
                pos += 1
                if exact {
                    // Ruby syntax: `x{n}?` is `(?:x{n})?`, not a lazy `{n}`.
                    node = program.add(.init(op: .repeatNode, a: Int32(node), b: min, c: max))
                    (min, max) = (0, 1)
                } else {
                    mode = .lazy
                }
            } else if isNext("+"), c != 0x7B {
                // `*+ ++ ?+` are possessive; after an interval `+` is another repetition (Ruby).
                pos += 1
                mode = .possessive
            }
            node = program.add(.init(op: .repeatNode, a: Int32(node), b: min, c: max, mode: mode))
        }
        return node
    }

    /// `{n}`, `{n,}`, `{,m}`, `{n,m}`; nil (and nothing consumed) when the brace is a literal.
    private mutating func interval() throws -> (Int32, Int32, Bool)? {
        let start = pos
        pos += 1
        func number() -> Int? {
            var value: Int?
            while let c = peek(), (0x30...0x39).contains(c) {
                value = (value ?? 0) * 10 + Int(c - 0x30)
                if value! > 100_000 { return value }
                pos += 1
            }
            return value
        }
        let low = number()
        var high = low
        var exact = true
        if isNext(",") {
            pos += 1
            exact = false
            high = number()
        }
        guard isNext("}"), low != nil || high != nil else {
            pos = start
            return nil
        }
        pos += 1
        let min = low ?? 0
        if let high, high < min { throw error("upper bound of interval below its lower bound") }
        guard min <= 100_000, (high ?? 0) <= 100_000 else { throw error("interval bound too large") }
        return (Int32(min), high.map { Int32($0) } ?? (exact ? Int32(min) : -1), exact && low != nil)
    }

    private mutating func atom(_ flags: inout Flags, depth: Int) throws -> Int? {
        let c = try next()
        switch c {
        case 0x28: return try group(&flags, depth: depth + 1) // (
        case 0x5B: return program.addSet(try characterClass(depth: depth), caseless: flags.caseless) // [
        case 0x2E: return program.addSet(flags.dotAll ? .all : .dot, caseless: false) // .
        case 0x5E: return program.add(.init(op: .lineStart)) // ^
        case 0x24: return program.add(.init(op: .lineEnd)) // $
        case 0x5C: return try escape(flags) // \
        case 0x2A, 0x2B, 0x3F: throw error("target of repeat operator is not specified")
        case 0x7B:
            pos -= 1
            if try interval() != nil { throw error("target of repeat operator is not specified") }
            pos += 1
            return literal(c, flags)
        default:
            return literal(c, flags)
        }
    }

    private mutating func literal(_ c: UInt32, _ flags: Flags) -> Int {
        program.add(.init(op: .char, a: Int32(bitPattern: flags.caseless ? CaseMapping.fold(c) : c), flag: flags.caseless))
    }

    private mutating func group(_ flags: inout Flags, depth: Int) throws -> Int? {
        guard isNext("?") else {
            var inner = flags
            let node = try alternation(&inner, depth: depth)
            try expect(")")
            return node
        }
        pos += 1
        let kind = try next()
        switch kind {
        case 0x3A: // (?:
            var inner = flags
            let node = try alternation(&inner, depth: depth)
            try expect(")")
            return node
        case 0x3D, 0x21: // (?= (?!
            var inner = flags
            let child = try alternation(&inner, depth: depth)
            try expect(")")
            return program.add(.init(op: .lookahead, a: Int32(child), b: kind == 0x21 ? 1 : 0))
        case 0x3E: // (?>
            var inner = flags
            let child = try alternation(&inner, depth: depth)
            try expect(")")
            return program.add(.init(op: .atomic, a: Int32(child)))
        case 0x23: // (?# comment )
            while let c = peek(), c != 0x29 { pos += 1 }
            try expect(")")
            return nil
        case 0x3C: // (?<= (?<! or (?<name>
            if isNext("=") || isNext("!") {
                let negative = try next() == 0x21
                var inner = flags
                let child = try alternation(&inner, depth: depth)
                try expect(")")
                return try lookbehind(child, negative: negative)
            }
            while let c = peek(), c != 0x3E { pos += 1 }
            try expect(">")
            var inner = flags
            let node = try alternation(&inner, depth: depth)
            try expect(")")
            return node
        default:
            pos -= 1
            var scoped = flags
            var on = true
            while let c = peek(), c != 0x3A, c != 0x29 {
                pos += 1
                switch c {
                case 0x2D: on = false // -
                case 0x69: scoped.caseless = on // i
                case 0x6D: scoped.dotAll = on // m
                case 0x78: // x
                    if on { throw error("extended mode (?x) is not supported") }
                default:
                    throw error("unsupported group (?\(Character(Unicode.Scalar(c) ?? "?"))")
                }
            }
            if try next() == 0x29 { // isolated: to the end of the enclosing group
                flags = scoped
                return nil
            }
            let node = try alternation(&scoped, depth: depth)
            try expect(")")
            return node
        }
    }

    private mutating func lookbehind(_ child: Int, negative: Bool) throws -> Int {
        let node = program.nodes[child]
        let branches = node.op == .alternation ? (0..<Int(node.b)).map { Int(program.lists[Int(node.a) + $0]) } : [child]
        var pairs: [Int] = []
        for branch in branches {
            guard let length = program.fixedLength(branch) else { throw error("look-behind must have a fixed length") }
            pairs.append(branch)
            pairs.append(length)
        }
        let start = program.lists.count
        program.lists.append(contentsOf: pairs.map { Int32($0) })
        return program.add(.init(op: .lookbehind, a: Int32(start), b: Int32(branches.count), c: negative ? 1 : 0))
    }

    // MARK: - Escapes and classes

    /// The set of a class escape (`\d \s \w \h`, `\p{…}`), if `c` is one.
    private mutating func classEscape(_ c: UInt32) throws -> ScalarSet? {
        switch Character(Unicode.Scalar(c) ?? " ") {
        case "d": return .digit
        case "D": return ScalarSet([.set(.digit)], negated: true)
        case "w": return .word
        case "W": return ScalarSet([.set(.word)], negated: true)
        case "s": return .space
        case "S": return ScalarSet([.set(.space)], negated: true)
        case "h": return .hexDigit
        case "H": return ScalarSet([.set(.hexDigit)], negated: true)
        case "p", "P":
            try expect("{")
            var negated = c == 0x50
            if isNext("^") { pos += 1; negated.toggle() }
            var name = ""
            while let d = peek(), d != 0x7D { name.unicodeScalars.append(Unicode.Scalar(d)!); pos += 1 }
            try expect("}")
            guard let set = ScalarSet.property(name, negated: negated) else {
                throw error("unsupported property \\p{\(name)} (general categories, Alphabetic, White_Space, Any, Assigned and Emoji are supported; scripts are not)")
            }
            return set
        default:
            return nil
        }
    }

    /// A single-scalar escape (`\t`, `\x41`, `\.`), or an error for unsupported escapes.
    private mutating func scalarEscape(_ c: UInt32, inClass: Bool) throws -> UInt32 {
        switch Character(Unicode.Scalar(c) ?? " ") {
        case "t": return 0x09
        case "n": return 0x0A
        case "r": return 0x0D
        case "f": return 0x0C
        case "v": return 0x0B
        case "a": return 0x07
        case "e": return 0x1B
        case "0": return 0
        case "b" where inClass: return 0x08
        case "x":
            if isNext("{") {
                pos += 1
                let value = try hex(maxDigits: 8)
                try expect("}")
                return value
            }
            return try hex(maxDigits: 2)
        case "u": return try hex(maxDigits: 4, exact: true)
        default:
            let isAlphanumeric = (0x30...0x39).contains(c) || (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c)
            if isAlphanumeric { throw error("unsupported escape \\\(Character(Unicode.Scalar(c)!))") }
            return c
        }
    }

    private mutating func hex(maxDigits: Int, exact: Bool = false) throws -> UInt32 {
        var value: UInt32 = 0, digits = 0
        while digits < maxDigits, let c = peek(), let d = Self.hexValue(c) {
            value = value * 16 + d
            digits += 1
            pos += 1
        }
        guard digits > 0, !exact || digits == maxDigits, value <= 0x10FFFF, !(0xD800...0xDFFF).contains(value) else {
            throw error("invalid hexadecimal escape")
        }
        return value
    }

    private static func hexValue(_ c: UInt32) -> UInt32? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    private mutating func escape(_ flags: Flags) throws -> Int {
        let c = try next()
        if let set = try classEscape(c) { return program.addSet(set, caseless: false) }
        switch Character(Unicode.Scalar(c) ?? " ") {
        case "A": return program.add(.init(op: .textStart))
        case "z": return program.add(.init(op: .textEnd))
        case "Z": return program.add(.init(op: .textEndBeforeNewline))
        case "b": return program.add(.init(op: .wordBoundary))
        case "B": return program.add(.init(op: .notWordBoundary))
        default: return literal(try scalarEscape(c, inClass: false), flags)
        }
    }

    /// After the opening `[`; consumes through the closing `]`.
    private mutating func characterClass(depth: Int) throws -> ScalarSet {
        guard depth < Self.maxNesting else { throw error("classes nested too deeply") }
        var negated = false
        if isNext("^") { pos += 1; negated = true }
        var operands: [[ScalarSet.Item]] = [[]]
        var first = true
        while true {
            guard let c = peek() else { throw error("premature end of character class") }
            if c == 0x5D, !first { pos += 1; break } // ]
            first = false
            if c == 0x26, peek(1) == 0x26 { // &&
                pos += 2
                operands.append([])
                continue
            }
            pos += 1
            if c == 0x5B { // [
                if isNext(":") { throw error("POSIX bracket expressions are not supported") }
                operands[operands.count - 1].append(.set(try characterClass(depth: depth + 1)))
                continue
            }
            var low = c
            if c == 0x5C {
                let e = try next()
                if let set = try classEscape(e) {
                    operands[operands.count - 1].append(.set(set))
                    continue
                }
                low = try scalarEscape(e, inClass: true)
            }
            var high = low
            if isNext("-"), let after = peek(1), after != 0x5D {
                pos += 1
                high = try next()
                if high == 0x5C { high = try scalarEscape(try next(), inClass: true) }
                if high == 0x5B { throw error("invalid range in character class") }
                guard low <= high else { throw error("empty range in character class") }
            }
            operands[operands.count - 1].append(.range(low, high))
        }
        let sets = operands.dropFirst().filter { !$0.isEmpty }.map { ScalarSet($0) }
        return ScalarSet(operands[0], negated: negated, intersections: sets)
    }
}
