import Foundation
import MBRuntime

/// `POST /predict`: labels with scores, best first, for one input (`[{score, label}]`) or a batch
/// (`[[{score, label}]]`); inputs are texts or text pairs (TEI's `PredictRequest` / `PredictResponse`).
struct PredictRequest: Decodable, Sendable {
    var inputs: PredictInputs
    var truncate: Bool?
    var truncationDirection: TruncationDirection
    /// Logits instead of probabilities.
    var rawScores: Bool

    private enum CodingKeys: String, CodingKey {
        case inputs, truncate
        case truncationDirection = "truncation_direction"
        case rawScores = "raw_scores"
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        inputs = try c.decode(PredictInputs.self, forKey: .inputs)
        truncate = try c.decodeIfPresent(Bool.self, forKey: .truncate)
        truncationDirection = try c.decodeIfPresent(TruncationDirection.self, forKey: .truncationDirection) ?? .right
        rawScores = try c.decodeIfPresent(Bool.self, forKey: .rawScores) ?? false
    }
}

/// One label and its score (TEI's `Prediction`).
struct Prediction: Codable, Sendable, Equatable {
    var score: Float
    var label: String
}

extension InferenceService {
    func predict(_ body: Data) async throws -> RouteResponse {
        let start = ContinuousClock.now
        let request = try JSONBody.decode(PredictRequest.self, from: body)
        var classifier = try requireClassifier()
        // Probabilities as the CLI's `classify` gives them (softmax over several labels, sigmoid for
        // one, or what the checkpoint's problem_type says); raw logits on request.
        if request.rawScores { classifier.function = .none }
        let task = classifier
        let (rows, metadata) = try await infer(
            request.inputs.inputs, truncate: request.truncate ?? configuration.autoTruncate,
            direction: request.truncationDirection, start: start
        ) { output, sequence in
            task.result(from: output, sequence: sequence).scores.map { Prediction(score: $0.score, label: $0.label) }
        }
        if let bad = rows.joined().first(where: { $0.score.isNaN }) {
            throw APIError(.backend, "score is NaN (label \(bad.label))")
        }
        var response = request.inputs.isBatch ? RouteResponse.json(rows) : RouteResponse.json(rows[0])
        metadata.apply(to: &response)
        return response
    }
}
