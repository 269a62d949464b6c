import Foundation
import MBTokenizer

/// `Fixtures/named-cases.json`, written by `Scripts/make_tokenizer_cases.py` with Hugging Face
/// `tokenizers`: the expected values of TokenizerTests and AddedTokenFlagTests.
struct NamedCases: Decodable {
    struct Case: Decodable {
        var name: String
        var text: String
        var pair: String?
        var max_length: Int?
        var add_special_tokens: Bool
        var ids: [Int32]
        var offsets: [[Int]]
        var type_ids: [Int32]
        var special_tokens_mask: [Int]
        var sequence_ids: [Int8?]
        var decoded: String
        var decoded_with_special: String

        var tokenOffsets: [TokenOffset] { offsets.map { TokenOffset(start: $0[0], end: $0[1]) } }
    }

    struct FlagCase: Decodable {
        var name: String
        var text: String
        var ids: [Int32]
        var offsets: [[Int]]
    }

    var tokenizers: String
    var vocab_size: Int
    var special_tokens: [String: Int32]
    var tokens: [String: Int32]
    var missing_ids: [Int32]
    var cases: [Case]
    var flag_tokens: [String: [String: Bool]]
    var flag_cases: [FlagCase]

    /// JSONDecoder rather than JSONSerialization: the latter drops a literal U+FEFF on Linux.
    static let shared: NamedCases = {
        do {
            return try JSONDecoder().decode(NamedCases.self, from: Data(contentsOf: Fixtures.url("named-cases.json")))
        } catch {
            fatalError("cannot read named-cases.json (Scripts/make_tokenizer_cases.py): \(error)")
        }
    }()

    struct MissingCase: Error, CustomStringConvertible {
        var name: String
        var description: String { "named-cases.json has no case \"\(name)\": regenerate it with Scripts/make_tokenizer_cases.py" }
    }

    /// The case called `name`; a missing name is a fixture out of date with the tests.
    func named(_ name: String) throws -> Case {
        guard let c = cases.first(where: { $0.name == name }) else { throw MissingCase(name: name) }
        return c
    }
}
