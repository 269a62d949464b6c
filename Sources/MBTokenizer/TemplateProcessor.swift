import Foundation

/// The `TemplateProcessing` post-processor: wraps encoded sequences in special tokens,
/// e.g. `[CLS] $A [SEP]` and `[CLS] $A [SEP] $B [SEP]`, and assigns segment (type) ids.
struct TemplateProcessor: Sendable {
    enum Piece: Sendable {
        /// `ids` of a special token from the `special_tokens` table.
        case special(ids: [Int32], typeId: Int32)
        /// Sequence 0 ("A") or 1 ("B").
        case sequence(index: Int, typeId: Int32)
    }

    let single: [Piece]
    let pair: [Piece]

    /// Used when the file has no post-processor: sequences pass through unchanged.
    static let passthrough = TemplateProcessor(single: [.sequence(index: 0, typeId: 0)],
                                               pair: [.sequence(index: 0, typeId: 0), .sequence(index: 1, typeId: 1)])

    init(single: [Piece], pair: [Piece]) {
        self.single = single
        self.pair = pair
    }

    init(json: JSONFields) throws {
        let file = json.file
        guard try json.type() == "TemplateProcessing" else {
            throw TokenizerError.unsupportedComponent(file: file, component: "post_processor", type: try json.type())
        }
        let specials = try json.object("special_tokens")
        var table: [String: [Int32]] = [:]
        for key in specials.object.keys {
            let entry = try specials.object(key)
            guard let ids = entry.optional("ids") as? [Any] else {
                throw TokenizerError.missingField(file: file, path: entry.childPath("ids"))
            }
            table[key] = try ids.map { value in
                guard let id = (value as? Int) ?? (value as? NSNumber)?.intValue, let id32 = Int32(exactly: id) else {
                    throw TokenizerError.invalidValue(file: file, path: entry.childPath("ids"), reason: "not a token id")
                }
                return id32
            }
        }
        func parse(_ key: String) throws -> [Piece] {
            try json.array(key).enumerated().map { index, raw in
                let path = json.childPath("\(key)[\(index)]")
                let item = try JSONFields(raw, file: file, path: path)
                if let special = try item.optionalObject("SpecialToken") {
                    let name = try special.string("id")
                    guard let ids = table[name] else {
                        throw TokenizerError.invalidValue(file: file, path: path, reason: "'\(name)' is not in special_tokens")
                    }
                    return .special(ids: ids, typeId: Int32(try special.int("type_id")))
                }
                if let sequence = try item.optionalObject("Sequence") {
                    let name = try sequence.string("id")
                    guard name == "A" || name == "B" else {
                        throw TokenizerError.invalidValue(file: file, path: path, reason: "sequence id must be A or B")
                    }
                    return .sequence(index: name == "A" ? 0 : 1, typeId: Int32(try sequence.int("type_id")))
                }
                throw TokenizerError.invalidValue(file: file, path: path, reason: "expected SpecialToken or Sequence")
            }
        }
        single = try parse("single")
        pair = try parse("pair")
    }

    /// How many tokens the template adds, which truncation must leave room for.
    func addedCount(pair isPair: Bool) -> Int {
        (isPair ? pair : single).reduce(0) { count, piece in
            if case let .special(ids, _) = piece { return count + ids.count }
            return count
        }
    }

    func apply(_ sequences: [SequenceEncoder.Output], addSpecialTokens: Bool) -> Encoding {
        var encoding = Encoding()
        let total = sequences.reduce(0) { $0 + $1.ids.count } + 4
        encoding.ids.reserveCapacity(total)
        encoding.offsets.reserveCapacity(total)
        let pieces = addSpecialTokens
            ? (sequences.count > 1 ? pair : single)
            : sequences.indices.map { Piece.sequence(index: $0, typeId: Int32($0 == 0 ? 0 : 1)) }
        for piece in pieces {
            switch piece {
            case let .special(ids, typeId):
                for id in ids {
                    encoding.ids.append(id)
                    encoding.offsets.append(TokenOffset(start: 0, end: 0))
                    encoding.typeIds.append(typeId)
                    encoding.specialTokensMask.append(true)
                    encoding.sequenceIds.append(nil)
                }
            case let .sequence(index, typeId):
                guard index < sequences.count else { continue }
                let sequence = sequences[index]
                encoding.ids.append(contentsOf: sequence.ids)
                encoding.offsets.append(contentsOf: sequence.offsets)
                encoding.typeIds.append(contentsOf: repeatElement(typeId, count: sequence.ids.count))
                encoding.specialTokensMask.append(contentsOf: repeatElement(false, count: sequence.ids.count))
                encoding.sequenceIds.append(contentsOf: repeatElement(Int8?(Int8(index)), count: sequence.ids.count))
            }
        }
        return encoding
    }
}
