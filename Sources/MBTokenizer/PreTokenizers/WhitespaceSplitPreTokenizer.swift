/// The `WhitespaceSplit` pre-tokenizer: runs of non-whitespace (Rust's `char::is_whitespace`).
struct WhitespaceSplitPreTokenizer: Sendable {
    func preTokenize(_ text: inout PreTokenizedText) {
        text.splitWords { s, word, keep in
            var i = word.lowerBound
            while i < word.upperBound {
                if UnicodeCategory.isWhitespace(s[i]) { i += 1; continue }
                var j = i + 1
                while j < word.upperBound, !UnicodeCategory.isWhitespace(s[j]) { j += 1 }
                keep(i..<j)
                i = j
            }
        }
    }
}
