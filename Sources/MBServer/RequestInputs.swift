/// The `inputs` of TEI's requests, which are JSON unions: one value or a batch of them.
///
/// Each decodes like TEI's serde definitions (untagged enums: the single form is tried first), and
/// a value of neither form is a type mismatch whose description says what is accepted.

/// `/embed`, `/embed_all`, `/v1/embeddings`: a string, token ids, or a list of strings and id lists.
struct EmbedInputs: Decodable, Sendable, Equatable {
    var inputs: [ModelInput]
    /// A batch (a JSON list of inputs) rather than one input; `/predict` answers the two differently.
    var isBatch: Bool

    init(inputs: [ModelInput], isBatch: Bool) {
        self.inputs = inputs
        self.isBatch = isBatch
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let text = try? c.decode(String.self) {
            self.init(inputs: [.text(text)], isBatch: false)
        } else if let ids = try? c.decode([UInt32].self) {
            // `[]` lands here, as in TEI: one empty input, refused as empty.
            self.init(inputs: [.ids(ids.map { Int32(truncatingIfNeeded: $0) })], isBatch: false)
        } else if let batch = try? c.decode([TextOrIDs].self) {
            self.init(inputs: batch.map(\.input), isBatch: true)
        } else {
            throw DecodingError.typeMismatch([String].self, .init(
                codingPath: decoder.codingPath,
                debugDescription: "expected a string, a list of token ids, or a list of strings and token id lists"))
        }
    }

    private struct TextOrIDs: Decodable {
        var input: ModelInput
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let text = try? c.decode(String.self) {
                input = .text(text)
            } else if let ids = try? c.decode([UInt32].self) {
                input = .ids(ids.map { Int32(truncatingIfNeeded: $0) })
            } else {
                throw DecodingError.typeMismatch(String.self, .init(
                    codingPath: decoder.codingPath, debugDescription: "expected a string or a list of token ids"))
            }
        }
    }
}

/// `/predict`: a string, a pair `[a, b]`, or a batch `[[a], [a, b], ...]` of single texts and pairs.
struct PredictInputs: Decodable, Sendable, Equatable {
    var inputs: [ModelInput]
    var isBatch: Bool

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let expected = "expected a string, a pair of strings [a, b], or a batch of single strings and pairs [[a], [a, b], ...]"
        if let text = try? c.decode(String.self) {
            inputs = [.text(text)]
            isBatch = false
        } else if let list = try? c.decode([String].self) {
            guard let input = Self.sequence(list) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(expected); got a list of \(list.count) strings"))
            }
            inputs = [input]
            isBatch = false
        } else if let batch = try? c.decode([[String]].self) {
            inputs = try batch.enumerated().map { i, list in
                guard let input = Self.sequence(list) else {
                    throw DecodingError.dataCorrupted(.init(
                        codingPath: decoder.codingPath + [IndexKey(i) as CodingKey],
                        debugDescription: "each batch entry is [text] or [text, text_pair]; got \(list.count) strings"))
                }
                return input
            }
            guard !inputs.isEmpty else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(expected); got an empty list"))
            }
            isBatch = true
        } else {
            throw DecodingError.typeMismatch([String].self, .init(codingPath: decoder.codingPath, debugDescription: expected))
        }
    }

    private static func sequence(_ list: [String]) -> ModelInput? {
        switch list.count {
        case 1: return .text(list[0])
        case 2: return .pair(list[0], list[1])
        default: return nil
        }
    }
}

/// `/tokenize`: a string or a list of strings.
struct TextInputs: Decodable, Sendable {
    var texts: [String]
    var isBatch: Bool

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let text = try? c.decode(String.self) {
            texts = [text]
            isBatch = false
        } else if let list = try? c.decode([String].self) {
            texts = list
            isBatch = true
        } else {
            throw DecodingError.typeMismatch([String].self, .init(codingPath: decoder.codingPath,
                                                                  debugDescription: "expected a string or a list of strings"))
        }
    }
}

/// `/decode`: token ids or a list of id lists.
struct IDInputs: Decodable, Sendable {
    var sequences: [[Int32]]
    var isBatch: Bool

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let ids = try? c.decode([UInt32].self) {
            sequences = [ids.map { Int32(truncatingIfNeeded: $0) }]
            isBatch = false
        } else if let batch = try? c.decode([[UInt32]].self) {
            sequences = batch.map { $0.map { Int32(truncatingIfNeeded: $0) } }
            isBatch = true
        } else {
            throw DecodingError.typeMismatch([UInt32].self, .init(codingPath: decoder.codingPath,
                                                                  debugDescription: "expected a list of token ids or a list of id lists"))
        }
    }
}

/// A list index in a decoding error's coding path.
struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}
