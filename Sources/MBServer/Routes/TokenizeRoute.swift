import Foundation
import MBTokenizer

/// `POST /tokenize`: the model's tokenizer, as TEI's `TokenizeRequest` / `TokenizeResponse`:
/// `[[{id, text, special, start, stop}]]`, one list per input (a single input is a batch of one).
struct TokenizeRequest: Decodable, Sendable {
    var inputs: TextInputs
    var addSpecialTokens: Bool
    var promptName: String?

    private enum CodingKeys: String, CodingKey {
        case inputs
        case addSpecialTokens = "add_special_tokens"
        case promptName = "prompt_name"
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        inputs = try c.decode(TextInputs.self, forKey: .inputs)
        addSpecialTokens = try c.decodeIfPresent(Bool.self, forKey: .addSpecialTokens) ?? true
        promptName = try c.decodeIfPresent(String.self, forKey: .promptName)
    }
}

/// One token. `start` and `stop` are UTF-8 byte offsets into the input and `text` is that slice of
/// it (TEI reports the Rust tokenizer's byte offsets); tokens the template added ([CLS], [SEP]) are
/// `special`, with their own spelling as `text` and null offsets.
struct SimpleToken: Codable, Sendable, Equatable {
    var id: Int32
    var text: String
    var special: Bool
    var start: Int?
    var stop: Int?

    private enum CodingKeys: String, CodingKey { case id, text, special, start, stop }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(text, forKey: .text)
        try c.encode(special, forKey: .special)
        // TEI writes null rather than leaving the keys out.
        try c.encode(start, forKey: .start)
        try c.encode(stop, forKey: .stop)
    }
}

extension InferenceService {
    func tokenize(_ body: Data) throws -> RouteResponse {
        let request = try JSONBody.decode(TokenizeRequest.self, from: body)
        let prompt = try prompt(named: request.promptName) ?? ""
        try checkBatch(request.inputs.texts.count)
        let tokenizer = served.tokenizer
        var out: [[SimpleToken]] = []
        var tokens = 0
        for input in request.inputs.texts {
            // Same checks as the model routes (empty, character limit), never truncated: TEI's tokenize
            // reports every token, also past the model's length.
            let characterLimit = encoder.maxInputLength * InputEncoder.charactersPerToken
            if input.isEmpty { throw APIError.emptyInputs }
            let text = prompt + input
            let characters = text.unicodeScalars.count
            if characters > characterLimit {
                throw APIError(.validation, "`inputs` must have less than \(characterLimit) characters. Given: \(characters)")
            }
            let encoding = tokenizer.encode(text, addSpecialTokens: request.addSpecialTokens)
            out.append(Self.simpleTokens(encoding, text: text, tokenizer: tokenizer))
            tokens += encoding.count
        }
        var response = RouteResponse.json(out)
        response.tokens = tokens
        return response
    }

    static func simpleTokens(_ encoding: Encoding, text: String, tokenizer: Tokenizer) -> [SimpleToken] {
        let utf8 = Array(text.utf8)
        // Byte offset of every scalar index (and of the end).
        var byteOffset = [0]
        byteOffset.reserveCapacity(text.unicodeScalars.count + 1)
        for scalar in text.unicodeScalars { byteOffset.append(byteOffset.last! + UTF8.width(scalar)) }
        return encoding.ids.indices.map { i in
            let id = encoding.ids[i]
            if encoding.specialTokensMask[i] {
                return SimpleToken(id: id, text: tokenizer.token(forId: id) ?? "", special: true, start: nil, stop: nil)
            }
            let o = encoding.offsets[i]
            let start = byteOffset[min(o.start, byteOffset.count - 1)], stop = byteOffset[min(o.end, byteOffset.count - 1)]
            return SimpleToken(id: id, text: String(decoding: utf8[start..<max(start, stop)], as: UTF8.self),
                               special: false, start: start, stop: stop)
        }
    }
}
