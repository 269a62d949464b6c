import Foundation
import MBRuntime

/// `POST /rerank`: scores `(query, text)` pairs with a one-label sequence classifier (a cross-encoder)
/// and returns `[{index, score, text?}]` (`Reranker.Ranked`), best first (TEI's `RerankRequest` /
/// `RerankResponse`).
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

extension InferenceService {
    func rerank(_ body: Data) async throws -> RouteResponse {
        let start = ContinuousClock.now
        let request = try JSONBody.decode(RerankRequest.self, from: body)
        guard !request.texts.isEmpty else { throw APIError(.empty, "`texts` cannot be empty") }
        guard var reranker = served.reranker, let head = served.model.head else {
            throw APIError.wrongModel("model is not a re-ranker model")
        }
        // The same scoring and truncation as `mbconvert rerank`: each (query, text) pair through the
        // tokenizer's pair template, the sigmoid of the one logit (or the logit), and over-long pairs
        // cut on the document's side (only_second), the query kept whole.
        if request.rawScores { reranker.scoring = .raw }
        let task = reranker
        let inputs = request.texts.map { ModelInput.pair(request.query, $0) }
        let (scores, metadata) = try await infer(
            inputs, truncate: request.truncate ?? configuration.autoTruncate, direction: request.truncationDirection,
            pairTruncation: reranker.truncation, start: start
        ) { output, sequence in
            task.score(head.logits(output, sequence: sequence))
        }
        if scores.contains(where: \.isNaN) { throw APIError(.backend, "score is NaN") }
        // Best first; equal scores keep input order (as `Reranker.rerank`).
        let ranks = scores.indices
            .sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
            .map { Reranker.Ranked(index: $0, score: scores[$0], text: request.returnText ? request.texts[$0] : nil) }
        var response = RouteResponse.json(ranks)
        metadata.apply(to: &response)
        return response
    }
}
