/// The `ByteLevel` pre-tokenizer: splits normalized text into the words that byte-level BPE
/// encodes one at a time (each word's UTF-8 bytes, spelled in GPT-2's byte alphabet, are what the
/// model sees; ``SequenceEncoder`` hands the bytes to the model directly).
///
/// The split is a hand-written scanner equivalent to the GPT-2 pattern used with `use_regex: true`:
///
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// Alternatives are tried in order at each position, as a backtracking engine does, so a
/// contraction wins over punctuation, and a run of whitespace followed by a word leaves its
/// last character to prefix that word (when it is a plain space) or to stand alone.
struct ByteLevelPreTokenizer: Sendable {
    /// Put a space before each word that does not start with one.
    var addPrefixSpace = false
    /// Split with the GPT-2 pattern (otherwise each word stays whole).
    var useRegex = true

    init() {}

    init(json: JSONFields) throws {
        addPrefixSpace = try json.bool("add_prefix_space", default: false)
        useRegex = try json.bool("use_regex", default: true)
        // `trim_offsets` only matters to the ByteLevel post-processor.
    }

    /// The configuration ModernBERT and GPT-2-style files use, which ``SequenceEncoder`` runs inline.
    var isPlainSplit: Bool { !addPrefixSpace && useRegex }

    func preTokenize(_ text: inout PreTokenizedText) {
        if addPrefixSpace {
            text.rewriteWords { builder, word in
                let start = builder.count
                if builder.source.scalars[word.lowerBound] != 0x20 { builder.append(0x20, alignedWith: word.lowerBound) }
                for i in word { builder.append(builder.source.scalars[i], alignedWith: i) }
                builder.addWord(start..<builder.count)
            }
        }
        guard useRegex else { return }
        text.splitWords { scalars, word, keep in
            split(scalars, word) { keep($0..<$1) }
        }
    }

    /// Calls `body(start, end)` for every word in `scalars[range]`, in order.
    /// The words tile the range exactly.
    @inline(__always)
    func split(_ scalars: UnsafeBufferPointer<UInt32>, _ range: Range<Int>,
               _ body: (Int, Int) -> Void) {
        var i = range.lowerBound
        let n = range.upperBound
        while i < n {
            let c = scalars[i]
            if c == 0x27, i + 1 < n, let len = Self.contractionLength(scalars, i, n) {
                body(i, i + len)
                i += len
                continue
            }
            var cls = ScalarClass.of(c)
            var j = i
            if c == 0x20, i + 1 < n {
                let next = ScalarClass.of(scalars[i + 1])
                if next != .whitespace {
                    cls = next
                    j = i + 1
                }
            }
            switch cls {
            case .letter, .number:
                j += 1
                while j < n, ScalarClass.of(scalars[j]) == cls { j += 1 }
                body(i, j)
                i = j
            case .other:
                j += 1
                while j < n {
                    let k = ScalarClass.of(scalars[j])
                    if k != .other { break }
                    j += 1
                }
                body(i, j)
                i = j
            case .whitespace:
                j = i + 1
                while j < n, ScalarClass.of(scalars[j]) == .whitespace { j += 1 }
                if j == n || j - i == 1 {
                    // `\s+(?!\S)` takes a run that ends the text; a lone one falls to `\s+`.
                    body(i, j)
                    i = j
                } else {
                    // Leave the last whitespace character for the next word.
                    body(i, j - 1)
                    i = j - 1
                }
            }
        }
    }

    /// Length of the contraction ('s 't 're 've 'm 'll 'd, lowercase only) at `i`, if any.
    @inline(__always)
    private static func contractionLength(_ s: UnsafeBufferPointer<UInt32>, _ i: Int, _ n: Int) -> Int? {
        let a = s[i + 1]
        switch a {
        case 0x73, 0x74, 0x6D, 0x64: // s t m d
            return 2
        case 0x72, 0x76: // r v -> 're 've
            return i + 2 < n && s[i + 2] == 0x65 ? 3 : nil
        case 0x6C: // l -> 'll
            return i + 2 < n && s[i + 2] == 0x6C ? 3 : nil
        default:
            return nil
        }
    }
}
