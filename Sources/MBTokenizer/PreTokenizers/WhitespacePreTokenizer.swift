/// The `Whitespace` pre-tokenizer: the matches of `\w+|[^\w\s]+` (Rust regex classes: `\w` is
/// Alphabetic, marks, decimal digits, connector punctuation and joiners; `\s` is White_Space), so
/// runs of word characters and runs of other non-space characters; whitespace is dropped.
struct WhitespacePreTokenizer: Sendable {
    func preTokenize(_ text: inout PreTokenizedText) {
        text.splitWords { s, word, keep in
            var i = word.lowerBound
            while i < word.upperBound {
                let v = s[i]
                if UnicodeCategory.isWhitespace(v) { i += 1; continue }
                let isWord = Self.isWord(v)
                var j = i + 1
                while j < word.upperBound, Self.isWord(s[j]) == isWord, isWord || !UnicodeCategory.isWhitespace(s[j]) { j += 1 }
                keep(i..<j)
                i = j
            }
        }
    }

    @inline(__always)
    static func isWord(_ v: UInt32) -> Bool { v == 0x200C || v == 0x200D || UnicodeCategory.isOnigurumaWord(v) }
}
