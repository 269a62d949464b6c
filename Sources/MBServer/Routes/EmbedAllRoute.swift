import Foundation
import MBRuntime

/// `POST /embed_all`: every token's final hidden state, `[[[f32]]]` (input, token, hidden), special
/// tokens included and nothing pooled or normalised (TEI's `EmbedAllRequest` / `EmbedAllResponse`).
struct EmbedAllRequest: Decodable, Sendable {
    var inputs: EmbedInputs
    var truncate: Bool?
    var truncationDirection: TruncationDirection
    var promptName: String?

    private enum CodingKeys: String, CodingKey {
        case inputs, truncate
        case truncationDirection = "truncation_direction"
        case promptName = "prompt_name"
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        inputs = try c.decode(EmbedInputs.self, forKey: .inputs)
        truncate = try c.decodeIfPresent(Bool.self, forKey: .truncate)
        truncationDirection = try c.decodeIfPresent(TruncationDirection.self, forKey: .truncationDirection) ?? .right
        promptName = try c.decodeIfPresent(String.self, forKey: .promptName)
    }
}

extension InferenceService {
    func embedAll(_ body: Data) async throws -> RouteResponse {
        let start = ContinuousClock.now
        let request = try JSONBody.decode(EmbedAllRequest.self, from: body)
        _ = try requireEmbedder()
        let inputs = request.inputs.inputs.prefixed(with: try prompt(named: request.promptName))
        let (states, metadata) = try await infer(
            inputs, truncate: request.truncate ?? configuration.autoTruncate,
            direction: request.truncationDirection, start: start
        ) { output, sequence -> [[Float]] in
            let rows = output.rows(of: sequence, in: output.lastHiddenState)
            let width = output.hiddenSize
            return stride(from: rows.startIndex, to: rows.endIndex, by: width).map { Array(rows[$0..<($0 + width)]) }
        }
        var response = RouteResponse(status: 200, body: FloatJSON.tensor(states))
        metadata.apply(to: &response)
        return response
    }
}
