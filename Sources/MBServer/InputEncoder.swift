import MBTokenizer

/// One model input of a request: a text, a text pair (classifiers, rerankers) or token ids.
enum ModelInput: Sendable, Equatable {
    case text(String)
    case pair(String, String)
    /// Token ids used as given: no special tokens are added (TEI decodes them and re-encodes the text
    /// without special tokens, which gives the same ids back).
    case ids([Int32])

    /// Unicode scalars (TEI counts Rust `char`s, which are scalars) or ids.
    var characterCount: Int {
        switch self {
        case .text(let s): return s.unicodeScalars.count
        case .pair(let a, let b): return a.unicodeScalars.count + b.unicodeScalars.count
        case .ids(let ids): return ids.count
        }
    }
}

/// Which end of an over-long input is cut when truncating (TEI's `truncation_direction`).
enum TruncationDirection: String, Sendable, Decodable {
    case right, left

    init(from decoder: Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        // TEI accepts both spellings of each value.
        switch raw {
        case "right", "Right": self = .right
        case "left", "Left": self = .left
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "expected \"right\" or \"left\", got \"\(raw)\""))
        }
    }
}

/// Turns request inputs into token ids with TEI's validation: empty inputs, a character limit of
/// 250 per allowed token (so a huge text is refused before it is tokenized), and inputs longer than
/// the model takes, which are errors naming the limit unless the request truncates.
struct InputEncoder: Sendable {
    /// TEI's `MAX_CHAR_MULTIPLIER`.
    static let charactersPerToken = 250

    let tokenizer: Tokenizer
    let maxInputLength: Int
    let vocabSize: Int

    /// - Parameters:
    ///   - truncate: cut an over-long input to `maxInputLength` tokens instead of refusing it.
    ///   - addSpecialTokens: wrap texts in the tokenizer's template ([CLS] ... [SEP]).
    /// - Returns: the encoding (for ids, only `ids` is meaningful) and whether it was cut.
    ///   - pairTruncation: which text of a pair gives up tokens (`longest_first`, transformers'
    ///     `truncation=True`, for /predict; `only_second`, the document, for /rerank as `mbconvert rerank`).
    func encode(_ input: ModelInput, truncate: Bool, direction: TruncationDirection = .right,
                pairTruncation: TruncationStrategy = .longestFirst,
                addSpecialTokens: Bool = true) throws(APIError) -> (encoding: Encoding, truncated: Bool) {
        var input = input
        switch input {
        case .text(let s) where s.isEmpty: throw .emptyInputs
        case .pair(let a, let b) where a.isEmpty && b.isEmpty: throw .emptyInputs
        case .ids(let ids) where ids.isEmpty: throw .emptyInputs
        default: break
        }
        let characterLimit = maxInputLength * Self.charactersPerToken
        let characters = input.characterCount
        if characters > characterLimit, !input.isIDs {
            guard truncate else {
                throw APIError(.validation, "`inputs` must have less than \(characterLimit) characters. Given: \(characters)")
            }
            input = input.cut(toCharacters: characterLimit)
        }

        switch input {
        case .ids(let ids):
            if let bad = ids.first(where: { $0 < 0 || Int($0) >= vocabSize }) {
                throw APIError(.validation, "token id \(bad) is out of range: the model has \(vocabSize) token ids")
            }
            guard ids.count > maxInputLength else { return (Encoding(ids: ids), false) }
            guard truncate else { throw tooLong(ids.count) }
            let kept = direction == .right ? Array(ids.prefix(maxInputLength)) : Array(ids.suffix(maxInputLength))
            return (Encoding(ids: kept), true)
        case .text(let text):
            if truncate && direction == .right {
                // One token over the limit tells whether anything was cut without encoding twice.
                let probe = tokenizer.encode(text, addSpecialTokens: addSpecialTokens, maxLength: maxInputLength + 1)
                guard probe.count > maxInputLength else { return (probe, false) }
                return (tokenizer.encode(text, addSpecialTokens: addSpecialTokens, maxLength: maxInputLength), true)
            }
            let full = tokenizer.encode(text, addSpecialTokens: addSpecialTokens)
            guard full.count > maxInputLength else { return (full, false) }
            guard truncate else { throw tooLong(full.count) }
            return (full.keepingTail(maxInputLength), true)
        case .pair(let text, let pair):
            if truncate {
                guard direction == .right else {
                    throw APIError(.validation, "`truncation_direction` \"left\" is not supported for text pairs; use \"right\"")
                }
                do {
                    return try tokenizer.encode(TokenizerInput(text, pair: pair), maxLength: maxInputLength,
                                                truncation: pairTruncation, addSpecialTokens: addSpecialTokens)
                } catch {
                    // E.g. only_second with a query that leaves the document no room: Hugging Face's message.
                    throw APIError(.validation, "\(error)")
                }
            }
            let full = tokenizer.encode(text, pair: pair, addSpecialTokens: addSpecialTokens)
            guard full.count <= maxInputLength else { throw tooLong(full.count) }
            return (full, false)
        }
    }

    private func tooLong(_ count: Int) -> APIError {
        APIError(.validation, "`inputs` must have less than \(maxInputLength) tokens. Given: \(count)")
    }
}

extension ModelInput {
    var isIDs: Bool { if case .ids = self { return true } else { return false } }

    /// TEI's `apply_limit`: a text keeps its first `limit` characters, each text of a pair `limit / 2`.
    func cut(toCharacters limit: Int) -> ModelInput {
        func prefix(_ s: String, _ n: Int) -> String {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: s.unicodeScalars.prefix(n))
            return String(view)
        }
        switch self {
        case .text(let s): return .text(prefix(s, limit))
        case .pair(let a, let b): return .pair(prefix(a, limit / 2), prefix(b, limit / 2))
        case .ids: return self
        }
    }
}

extension Encoding {
    /// Left truncation of a single sequence: the template's leading and trailing tokens ([CLS], [SEP])
    /// stay, the text keeps its last tokens, so the result has `length` tokens (as Hugging Face's
    /// `truncation_side="left"`). A length below the template's own tokens leaves the encoding whole.
    func keepingTail(_ length: Int) -> Encoding {
        let lead = sequenceIds.prefix { $0 == nil }.count
        let trail = sequenceIds.count == lead ? 0 : sequenceIds.reversed().prefix { $0 == nil }.count
        let content = count - lead - trail
        guard count > length, length >= lead + trail else { return self }
        let drop = content - (length - lead - trail)
        let kept = Array(0..<lead) + Array((lead + drop)..<count)
        return Encoding(ids: kept.map { ids[$0] }, typeIds: kept.map { typeIds[$0] },
                        offsets: kept.map { offsets[$0] }, specialTokensMask: kept.map { specialTokensMask[$0] },
                        sequenceIds: kept.map { sequenceIds[$0] })
    }
}
