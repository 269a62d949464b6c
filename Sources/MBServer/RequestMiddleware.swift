import Foundation
import Hummingbird
import Logging

/// Runs around every request: the API key check, JSON bodies for the router's own errors (unknown
/// route, wrong method), one log line (method, route, status, tokens, milliseconds) and the metrics.
struct RequestMiddleware: RouterMiddleware {
    typealias Context = ServeRequestContext

    let service: InferenceService
    let logger: Logger
    /// `Bearer <key>`, compared in constant time.
    private let expected: [UInt8]?

    /// Routes open without the key, as TEI leaves them open: probes and scrapers carry no credentials.
    static let publicPaths: Set<String> = ["/health", "/ping", "/metrics"]

    init(service: InferenceService, logger: Logger) {
        self.service = service
        self.logger = logger
        expected = service.configuration.apiKey.map { Array("Bearer \($0)".utf8) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let path = request.uri.path
        let openAI = path.hasPrefix("/v1/") || path == "/embeddings"
        var response: Response
        if !isAuthorized(request) {
            response = RouteResponse.error(APIError(.unauthorized, "missing or wrong API key: send `Authorization: Bearer <key>`"),
                                           openAI: openAI).httpResponse
            response.headers[.wwwAuthenticate] = "Bearer"
        } else {
            do {
                response = try await next(request, context)
            } catch let error as HTTPError {
                let what = error.status == .notFound ? "no route \(request.method) \(path)" : "\(error.status.reasonPhrase): \(request.method) \(path)"
                let kind: APIError.Kind = error.status == .notFound ? .notFound : .validation
                response = RouteResponse.error(APIError(kind, error.body ?? what, status: error.status.code), openAI: openAI).httpResponse
            } catch {
                response = RouteResponse.error(APIError(.backend, "\(error)"), openAI: openAI).httpResponse
            }
        }
        let elapsed = ContinuousClock.now - start
        // Matched routes are labelled by their path; anything else shares one label, so a scan of
        // random paths cannot grow the metrics without bound.
        let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched"
        let status = response.status.code
        let tokens = context.record.tokens
        service.metrics.recordRequest(route: route, status: status, tokens: status == 200 ? tokens : 0,
                                      seconds: elapsed.seconds, queueSeconds: status == 200 ? context.record.queueSeconds : nil)
        logger.info("\(request.method) \(path) \(status)", metadata: [
            "route": .string(route), "status": .stringConvertible(status), "tokens": .stringConvertible(tokens),
            "ms": .string(String(format: "%.1f", elapsed.milliseconds)),
        ])
        return response
    }

    private func isAuthorized(_ request: Request) -> Bool {
        guard let expected else { return true }
        if request.method == .get && (Self.publicPaths.contains(request.uri.path) || request.uri.path == "/") { return true }
        guard let given = request.headers[.authorization].map({ Array($0.utf8) }) else { return false }
        // Constant time in the key's length: no early exit at the first differing byte.
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for i in 0..<expected.count { difference |= expected[i] ^ (i < given.count ? given[i] : 0) }
        return difference == 0
    }
}
