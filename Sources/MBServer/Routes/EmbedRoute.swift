import Foundation
import MBRuntime

/// `POST /embed`: one pooled vector per input, `[[f32]]` (TEI's `EmbedRequest` / `EmbedResponse`).
struct EmbedRequest: Decodable, Sendable {
    var inputs: EmbedInputs
    /// Cut over-long inputs to the model's length; default `--auto-truncate`.
    var truncate: Bool?
    var truncationDirection: TruncationDirection
    /// L2-normalise (TEI's default: true).
    var normalize: Bool
    /// Keep the first `dimensions` values (Matryoshka), before normalising.
    var dimensions: Int?
    var promptName: String?

    private enum CodingKeys: String, CodingKey {
        case inputs, truncate, normalize, dimensions
        case truncationDirection = "truncation_direction"
        case promptName = "prompt_name"
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        inputs = try c.decode(EmbedInputs.self, forKey: .inputs)
        truncate = try c.decodeIfPresent(Bool.self, forKey: .truncate)
        truncationDirection = try c.decodeIfPresent(TruncationDirection.self, forKey: .truncationDirection) ?? .right
        normalize = try c.decodeIfPresent(Bool.self, forKey: .normalize) ?? true
        dimensions = try c.decodeIfPresent(Int.self, forKey: .dimensions)
        promptName = try c.decodeIfPresent(String.self, forKey: .promptName)
    }
}

extension InferenceService {
    func embed(_ body: Data) async throws -> RouteResponse {
        let start = ContinuousClock.now
        let request = try JSONBody.decode(EmbedRequest.self, from: body)
        let (vectors, metadata) = try await pooledEmbeddings(
            request.inputs.inputs, truncate: request.truncate ?? configuration.autoTruncate,
            direction: request.truncationDirection, normalize: request.normalize,
            dimensions: request.dimensions, promptName: request.promptName, start: start)
        var response = RouteResponse(status: 200, body: FloatJSON.matrix(vectors))
        metadata.apply(to: &response)
        return response
    }

    /// Pooled vectors as TEI computes them: the model's pooling (the CLI's `Embedder`), then the first
    /// `dimensions` values, then L2 normalisation when asked.
    func pooledEmbeddings(_ inputs: [ModelInput], truncate: Bool, direction: TruncationDirection,
                          normalize: Bool, dimensions: Int?, promptName: String?,
                          start: ContinuousClock.Instant) async throws -> ([[Float]], InferenceMetadata) {
        var embedder = try requireEmbedder()
        // An unknown prompt name is an error whatever the inputs; inputs given as ids carry no prompt,
        // so none is excluded from their pooling either.
        let requested = try prompt(named: promptName)
        embedder.prompt = inputs.allText ? requested : nil
        let inputs = inputs.prefixed(with: embedder.prompt)
        if let dimensions {
            if dimensions <= 0 { throw APIError(.validation, "`dimensions` should be positive") }
            if dimensions > embedder.dimension {
                throw APIError(.validation, "`dimensions` should be smaller than the maximum embedding dimension.")
            }
        }
        // Without Matryoshka truncation the embedder normalises, exactly as `mbconvert embed --normalize`.
        let truncating = dimensions != nil && dimensions! < embedder.dimension
        embedder.normalize = normalize && !truncating
        let task = embedder
        let keep = dimensions ?? embedder.dimension
        return try await infer(inputs, truncate: truncate, direction: direction, start: start) { output, sequence in
            let vector = task.vector(from: output, sequence: sequence)
            guard truncating else { return vector }
            let kept = Array(vector.prefix(keep))
            return normalize ? l2Normalized(kept) : kept
        }
    }
}
