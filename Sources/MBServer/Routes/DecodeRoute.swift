import Foundation

/// `POST /decode`: token ids back to text, `["text", ...]` (TEI's `DecodeRequest` / `DecodeResponse`).
struct DecodeRequest: Decodable, Sendable {
    var ids: IDInputs
    /// Leave out special tokens ([CLS], [SEP], [PAD], ...); default true.
    var skipSpecialTokens: Bool

    private enum CodingKeys: String, CodingKey {
        case ids
        case skipSpecialTokens = "skip_special_tokens"
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ids = try c.decode(IDInputs.self, forKey: .ids)
        skipSpecialTokens = try c.decodeIfPresent(Bool.self, forKey: .skipSpecialTokens) ?? true
    }
}

extension InferenceService {
    func decode(_ body: Data) throws -> RouteResponse {
        let request = try JSONBody.decode(DecodeRequest.self, from: body)
        try checkBatch(request.ids.sequences.count)
        if request.ids.sequences.contains(where: \.isEmpty) { throw APIError(.empty, "`input_ids` cannot be empty") }
        // Unknown ids are skipped, as Hugging Face's decode skips them.
        let texts = request.ids.sequences.map { served.tokenizer.decode($0, skipSpecialTokens: request.skipSpecialTokens) }
        return .json(texts)
    }
}
