/// The `Split` pre-tokenizer: cuts each word where its pattern (a string, or an Oniguruma regex)
/// matches, keeping or merging the matches as `behavior` says; `invert` swaps matches and gaps.
struct SplitPreTokenizer: Sendable {
    let pattern: Pattern
    let behavior: SplitDelimiterBehavior
    let invert: Bool

    init(json: JSONFields) throws {
        pattern = try Pattern(json: json)
        behavior = try SplitDelimiterBehavior(json: json)
        invert = try json.bool("invert", default: false)
    }

    func preTokenize(_ text: inout PreTokenizedText) {
        var splits: [PatternSplit] = []
        text.splitWords { scalars, word, keep in
            pattern.splits(in: scalars, bounds: word, into: &splits)
            if invert { for k in splits.indices { splits[k].isMatch.toggle() } }
            behavior.apply(splits, keep)
        }
    }
}
