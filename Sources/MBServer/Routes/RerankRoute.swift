import Foundation
import MBRuntime

/// `POST /rerank`: scores `(query, text)` pairs with a one-label sequence classifier (a cross-encoder)
/// and returns `[{index, score, text?}]`, best first (TEI's `RerankRequest` / `RerankResponse`).
struct RerankRequest: Decodable, Sendable {
    var query: String
    var texts: [String]
    var truncate: Bool?
    var truncationDirection: TruncationDirection
    /// The logit instead of its sigmoid.
    var rawScores: Bool
    /// Echo each text in its rank.
    var returnText: Bool

    private enum CodingKeys: String, CodingKey {
        case query, texts, truncate
        case truncationDirection = "truncation_direction"
        case rawScores = "raw_scores"
        case returnText = "return_text"
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        query = try c.decode(String.self, forKey: .query)
        texts = try c.decode([String].self, forKey: .texts)
        truncate = try c.decodeIfPresent(Bool.self, forKey: .truncate)
        truncationDirection = try c.decodeIfPresent(TruncationDirection.self, forKey: .truncationDirection) ?? .right
        rawScores = try c.decodeIfPresent(Bool.self, forKey: .rawScores) ?? false
        returnText = try c.decodeIfPresent(Bool.self, forKey: .returnText) ?? false
    }
}

/// One text's place in a ranking (TEI's `Rank`; `text` only with `return_text`).
struct Rank: Codable, Sendable, Equatable {
    var index: Int
    var text: String?
    var score: Float
}

extension InferenceService {
    func rerank(_ body: Data) async throws -> RouteResponse {
        let start = ContinuousClock.now
        let request = try JSONBody.decode(RerankRequest.self, from: body)
        guard !request.texts.isEmpty else { throw APIError(.empty, "`texts` cannot be empty") }
        guard case .reranker(var classifier) = served.kind else {
            throw APIError.wrongModel("model is not a re-ranker model")
        }
        // The pair runs through the tokenizer's pair template ([CLS] query [SEP] text [SEP]); the score
        // is the sigmoid of the one logit, as TEI's reranker.
        classifier.function = request.rawScores ? .none : .sigmoid
        let task = classifier
        let inputs = request.texts.map { ModelInput.pair(request.query, $0) }
        let (scores, metadata) = try await infer(
            inputs, truncate: request.truncate ?? configuration.autoTruncate,
            direction: request.truncationDirection, start: start
        ) { output, sequence in
            task.result(from: output, sequence: sequence).scores[0].score
        }
        if scores.contains(where: \.isNaN) { throw APIError(.backend, "score is NaN") }
        // Best first; equal scores keep input order.
        let ranks = scores.enumerated()
            .sorted { $0.element != $1.element ? $0.element > $1.element : $0.offset < $1.offset }
            .map { Rank(index: $0.offset, text: request.returnText ? request.texts[$0.offset] : nil, score: $0.element) }
        var response = RouteResponse.json(ranks)
        metadata.apply(to: &response)
        return response
    }
}
