import Foundation
import MBRuntime
import MBTokenizer

/// Everything the routes share: the served model, the batching queue, limits and metrics.
///
/// Routes (one file each in `Routes/`) are methods of this type taking the request body and returning
/// a `RouteResponse`, so they can be called without HTTP (MBServerTests does); `HTTPServer` maps
/// paths to them. Every route that runs the model goes through `infer`, and so through the one queue.
public final class InferenceService: Sendable {
    public let served: ServedModel
    public let configuration: ServerConfiguration
    public let queue: BatchQueue
    public let metrics: ServerMetrics
    let encoder: InputEncoder

    /// Builds the service and its queue; call `start()` before the first request.
    public init(served: ServedModel, configuration: ServerConfiguration, metrics: ServerMetrics = ServerMetrics()) {
        self.served = served
        self.configuration = configuration
        self.metrics = metrics
        queue = BatchQueue(model: served.model, maxBatchTokens: configuration.maxBatchTokens,
                           capacity: configuration.maxConcurrentRequests, metrics: metrics)
        encoder = InputEncoder(tokenizer: served.tokenizer, maxInputLength: served.maxInputLength,
                               vocabSize: served.model.config.vocabSize)
    }

    /// Starts the model thread.
    public func start() { queue.start() }

    /// Runs one short text through the tokenizer and the queue, so the first request does not pay for
    /// first-use set-up (the tokenizer's caches, the runtime's thread pool).
    public func warmUp() async throws {
        let ids = served.tokenizer.encode("warm up").ids
        _ = try await queue.run([ids]) { output, _ in output.hiddenSize }
    }

    /// Finishes what is queued and stops the model thread.
    public func stop() { queue.stop() }

    /// The POST routes, by path.
    public enum Route: String, CaseIterable, Sendable {
        case embed = "/embed"
        case embedAll = "/embed_all"
        case predict = "/predict"
        case rerank = "/rerank"
        case tokenize = "/tokenize"
        case decode = "/decode"
        case openAIEmbeddings = "/v1/embeddings"
        /// TEI's alias of /v1/embeddings.
        case embeddings = "/embeddings"
        /// The model type's own route (embed, predict or rerank), as TEI's `POST /`.
        case root = "/"
        /// AWS SageMaker's name for `POST /`.
        case invocations = "/invocations"

        /// Errors on the OpenAI-compatible routes take OpenAI's shape.
        var isOpenAI: Bool { self == .openAIEmbeddings || self == .embeddings }
    }

    /// Answers a POST route; every error becomes TEI's (or OpenAI's) error response.
    public func handle(_ route: Route, body: Data) async -> RouteResponse {
        do {
            switch route {
            case .embed: return try await embed(body)
            case .embedAll: return try await embedAll(body)
            case .predict: return try await predict(body)
            case .rerank: return try await rerank(body)
            case .tokenize: return try tokenize(body)
            case .decode: return try decode(body)
            case .openAIEmbeddings, .embeddings: return try await openAIEmbeddings(body)
            case .root, .invocations:
                switch served.kind {
                case .embedding: return try await embed(body)
                case .classifier: return try await predict(body)
                case .reranker: return try await rerank(body)
                }
            }
        } catch let error as APIError {
            return .error(error, openAI: route.isOpenAI)
        } catch {
            return .error(APIError(.backend, "\(error)"), openAI: route.isOpenAI)
        }
    }

    // MARK: - The path every model route takes

    /// Checks a request's batch size, admits its inputs (429 when the queue is full), tokenizes them,
    /// runs them through the queue and returns what `compute` made of each, with TEI's timings.
    func infer<T: Sendable>(_ inputs: [ModelInput], truncate: Bool, direction: TruncationDirection,
                            pairTruncation: TruncationStrategy = .longestFirst, start: ContinuousClock.Instant,
                            _ compute: @escaping BatchQueue.Compute<T>) async throws -> ([T], InferenceMetadata) {
        try checkBatch(inputs.count)
        guard queue.reserve(inputs.count) else { throw APIError.overloaded }
        defer { queue.release(inputs.count) }
        var metadata = InferenceMetadata(start: start)
        let tokenizeStart = ContinuousClock.now
        var sequences: [[Int32]] = []
        sequences.reserveCapacity(inputs.count)
        for input in inputs {
            sequences.append(try encoder.encode(input, truncate: truncate, direction: direction,
                                                pairTruncation: pairTruncation).encoding.ids)
            metadata.characters += input.characterCount
        }
        metadata.tokenization = ContinuousClock.now - tokenizeStart
        metadata.tokens = sequences.reduce(0) { $0 + $1.count }
        let (results, timing) = try await queue.run(sequences, compute)
        metadata.queue = timing.queue
        metadata.inference = timing.inference
        return (results, metadata)
    }

    /// TEI's batch checks: an empty batch is 400, more than `--max-client-batch-size` inputs is 413.
    func checkBatch(_ count: Int) throws {
        if count == 0 { throw APIError.emptyInputs }
        if count > configuration.maxClientBatchSize {
            throw APIError.tooManyInputs(count, limit: configuration.maxClientBatchSize)
        }
    }

    /// The embedder, or TEI's error for a model that is not an embedding model.
    func requireEmbedder() throws -> Embedder {
        guard let embedder = served.embedder else { throw APIError.wrongModel("Model is not an embedding model") }
        return embedder
    }

    /// The classifier of a classifier or reranker model, or TEI's error for an embedding model.
    func requireClassifier() throws -> TextClassifier {
        guard let classifier = served.classifier else { throw APIError.wrongModel("Model is not a classifier model") }
        return classifier
    }
}
