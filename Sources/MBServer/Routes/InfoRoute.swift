import Foundation

/// `GET /info`: the served model and the router's limits, in TEI's `Info` shape.
struct Info: Codable, Sendable, Equatable {
    var model_id: String
    var model_sha: String?
    var model_dtype: String
    var served_model_name: String
    var model_type: ModelType
    var max_concurrent_requests: Int
    var max_input_length: Int
    var max_batch_tokens: Int
    var max_batch_requests: Int?
    var max_client_batch_size: Int
    var auto_truncate: Bool
    var tokenization_workers: Int
    var version: String
    var sha: String?
    var docker_label: String?

    private enum CodingKeys: String, CodingKey {
        case model_id, model_sha, model_dtype, served_model_name, model_type, max_concurrent_requests,
             max_input_length, max_batch_tokens, max_batch_requests, max_client_batch_size, auto_truncate,
             tokenization_workers, version, sha, docker_label
    }

    /// As TEI: fields without a value are written as null, not left out.
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model_id, forKey: .model_id)
        try c.encode(model_sha, forKey: .model_sha)
        try c.encode(model_dtype, forKey: .model_dtype)
        try c.encode(served_model_name, forKey: .served_model_name)
        try c.encode(model_type, forKey: .model_type)
        try c.encode(max_concurrent_requests, forKey: .max_concurrent_requests)
        try c.encode(max_input_length, forKey: .max_input_length)
        try c.encode(max_batch_tokens, forKey: .max_batch_tokens)
        try c.encode(max_batch_requests, forKey: .max_batch_requests)
        try c.encode(max_client_batch_size, forKey: .max_client_batch_size)
        try c.encode(auto_truncate, forKey: .auto_truncate)
        try c.encode(tokenization_workers, forKey: .tokenization_workers)
        try c.encode(version, forKey: .version)
        try c.encode(sha, forKey: .sha)
        try c.encode(docker_label, forKey: .docker_label)
    }

    /// TEI's externally tagged `ModelType`: `{"embedding": {"pooling": "mean"}}`,
    /// `{"classifier": {"id2label": ..., "label2id": ...}}` or `{"reranker": {...}}`.
    struct ModelType: Codable, Sendable, Equatable {
        var embedding: Embedding?
        var classifier: Classifier?
        var reranker: Classifier?

        struct Embedding: Codable, Sendable, Equatable { var pooling: String }
        struct Classifier: Codable, Sendable, Equatable {
            var id2label: [String: String]
            var label2id: [String: Int]
        }
    }
}

extension InferenceService {
    /// mbconvert's version as /info reports it.
    public static let version = "0.1.0"

    var info: Info {
        var type = Info.ModelType()
        let labels = served.labels
        let classifier = Info.ModelType.Classifier(
            id2label: Dictionary(uniqueKeysWithValues: labels.enumerated().map { (String($0.offset), $0.element) }),
            // Duplicate label names keep their first index.
            label2id: Dictionary(labels.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a }))
        switch served.kind {
        case .embedding: type.embedding = .init(pooling: served.embedder?.pooling.rawValue ?? "mean")
        case .classifier: type.classifier = classifier
        case .reranker: type.reranker = classifier
        }
        return Info(model_id: configuration.modelID, model_sha: nil, model_dtype: served.dtype,
                    served_model_name: configuration.modelID, model_type: type,
                    max_concurrent_requests: configuration.maxConcurrentRequests,
                    max_input_length: served.maxInputLength, max_batch_tokens: configuration.maxBatchTokens,
                    max_batch_requests: nil, max_client_batch_size: configuration.maxClientBatchSize,
                    auto_truncate: configuration.autoTruncate, tokenization_workers: 1,
                    version: Self.version, sha: nil, docker_label: nil)
    }

    /// `GET /info`.
    public func infoResponse() -> RouteResponse { .json(info) }
}
