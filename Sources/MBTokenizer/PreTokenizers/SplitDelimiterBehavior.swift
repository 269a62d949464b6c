/// What a split does with the stretches its pattern matched (`"behavior"` in `tokenizer.json`).
/// For "-" in "the-final--countdown":
/// - `Removed`: the, final, countdown
/// - `Isolated`: the, -, final, -, -, countdown
/// - `MergedWithPrevious`: the-, final-, -, countdown
/// - `MergedWithNext`: the, -final, -, -countdown
/// - `Contiguous`: the, -, final, --, countdown
enum SplitDelimiterBehavior: String, Sendable {
    case removed = "Removed"
    case isolated = "Isolated"
    case mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext"
    case contiguous = "Contiguous"

    init(json: JSONFields) throws {
        let name = try json.string("behavior")
        guard let behavior = SplitDelimiterBehavior(rawValue: name) else {
            throw TokenizerError.unsupportedComponent(file: json.file, component: "split behavior", type: name)
        }
        self = behavior
    }

    /// The ranges the reference's `NormalizedString::split` keeps, in order (possibly empty).
    func apply(_ splits: [PatternSplit], _ keep: (Range<Int>) -> Void) {
        switch self {
        case .isolated:
            for s in splits { keep(s.start..<s.end) }
        case .removed:
            for s in splits where !s.isMatch { keep(s.start..<s.end) }
        case .contiguous, .mergedWithPrevious:
            var pending: Range<Int>?
            var previousMatch = false
            for s in splits {
                let merge = self == .contiguous ? s.isMatch == previousMatch : (s.isMatch && !previousMatch)
                if merge, let p = pending {
                    pending = p.lowerBound..<s.end
                } else {
                    if let p = pending { keep(p) }
                    pending = s.start..<s.end
                }
                previousMatch = s.isMatch
            }
            if let p = pending { keep(p) }
        case .mergedWithNext:
            // The reference folds from the right: a match joins the stretch after it unless that
            // stretch was a match too.
            var merged: [Range<Int>] = []
            var nextWasMatch = false
            for s in splits.reversed() {
                if s.isMatch, !nextWasMatch, let last = merged.last {
                    merged[merged.count - 1] = s.start..<last.upperBound
                } else {
                    merged.append(s.start..<s.end)
                }
                nextWasMatch = s.isMatch
            }
            for range in merged.reversed() { keep(range) }
        }
    }
}
