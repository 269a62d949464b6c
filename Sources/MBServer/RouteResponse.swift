import Foundation

/// What a route answers, before the HTTP layer writes it: status, JSON body, TEI's timing headers, and
/// what the request log and metrics record.
public struct RouteResponse: Sendable {
    public var status: Int
    public var body: Data
    public var contentType = "application/json"
    /// TEI's `x-compute-time`, `x-compute-tokens`, `x-total-time`, `x-queue-time`, ... for inference routes.
    public var headers: [(name: String, value: String)] = []
    /// Input tokens the request ran through the model (0 for routes that run none).
    public var tokens = 0
    /// Mean time its inputs waited for a forward pass, for inference routes.
    public var queueSeconds: Double?

    public init(status: Int, body: Data, contentType: String = "application/json") {
        self.status = status
        self.body = body
        self.contentType = contentType
    }

    static func json<T: Encodable>(_ value: T, status: Int = 200) -> RouteResponse {
        RouteResponse(status: status, body: JSONBody.encode(value))
    }

    static func error(_ error: APIError, openAI: Bool = false) -> RouteResponse {
        openAI ? .json(error.openAIBody, status: error.status) : .json(error.teiBody, status: error.status)
    }

    /// The JSON body decoded as `T` (tests and tools).
    public func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(T.self, from: body) }
}

/// What an inference route measured, turned into TEI's response headers (milliseconds, as TEI writes them).
struct InferenceMetadata: Sendable {
    var start: ContinuousClock.Instant
    var characters = 0
    var tokens = 0
    var tokenization = Duration.zero
    var queue = Duration.zero
    var inference = Duration.zero

    init(start: ContinuousClock.Instant) { self.start = start }

    func apply(to response: inout RouteResponse) {
        let total = String(Int((ContinuousClock.now - start).milliseconds))
        response.headers += [
            ("x-compute-type", "cpu"),
            ("x-compute-time", total),
            ("x-compute-characters", String(characters)),
            ("x-compute-tokens", String(tokens)),
            ("x-total-time", total),
            ("x-tokenization-time", String(Int(tokenization.milliseconds))),
            ("x-queue-time", String(Int(queue.milliseconds))),
            ("x-inference-time", String(Int(inference.milliseconds))),
        ]
        response.tokens = tokens
        response.queueSeconds = queue.seconds
    }
}
