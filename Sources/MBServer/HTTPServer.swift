import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The HTTP side of `mbconvert serve`: Hummingbird (SwiftNIO) routes TEI's paths to the
/// `InferenceService` routes, collects bodies up to the payload limit, and shuts down gracefully on
/// SIGTERM or SIGINT (stop accepting, finish the requests in flight, then stop the model thread).
public struct HTTPServer: Sendable {
    public let service: InferenceService
    public let logger: Logger

    public init(service: InferenceService, logger: Logger = Logger(label: "mbconvert.serve")) {
        self.service = service
        self.logger = logger
    }

    /// Logs go to standard error at `info`: one line per request. Call once, before the first logger.
    public static func bootstrapLogging() {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
    }

    /// Serves until SIGTERM or SIGINT, then returns once every accepted request has been answered.
    /// - Parameter onReady: called with the bound port once the server listens.
    public func run(onReady: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let configuration = service.configuration
        let router = Router(context: ServeRequestContext.self)
        router.add(middleware: RequestMiddleware(service: service, logger: logger))
        for route in InferenceService.Route.allCases {
            router.post(RouterPath(route.rawValue)) { request, context in
                try await respond(route, request: request, context: context)
            }
        }
        // TEI's public routes: health (also as GET / and SageMaker's /ping), info, metrics.
        for path in ["/health", "/", "/ping"] {
            router.get(RouterPath(path)) { _, _ in service.healthResponse().httpResponse }
        }
        router.get("/info") { _, _ in service.infoResponse().httpResponse }
        router.get("/metrics") { _, _ in service.metricsResponse().httpResponse }

        service.start()
        try await service.warmUp()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "mbconvert"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                logger.info("listening on http://\(configuration.host):\(port)", metadata: [
                    "model": .string(configuration.modelID), "type": .string(service.served.kind.rawValue),
                    "max_batch_tokens": .stringConvertible(configuration.maxBatchTokens),
                ])
                onReady(port)
            },
            logger: logger)
        do {
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } catch {
            service.stop()
            throw error
        }
        logger.info("shutting down: all requests answered; stopping the model thread")
        service.stop()
    }

    /// Collects the body (413 past the payload limit) and runs the route.
    private func respond(_ route: InferenceService.Route, request: Request, context: ServeRequestContext) async throws -> Response {
        let limit = service.configuration.payloadLimit
        let tooLarge = RouteResponse.error(.payloadTooLarge(limit: limit), openAI: route.isOpenAI)
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            return tooLarge.httpResponse
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            return tooLarge.httpResponse
        }
        let result = await service.handle(route, body: Data(buffer.readableBytesView))
        context.record.tokens = result.tokens
        context.record.queueSeconds = result.queueSeconds
        return result.httpResponse
    }
}

/// The per-request context: Hummingbird's core storage and what the route reports to the request log.
struct ServeRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// Shared by reference between the middleware and the route (contexts are values).
    let record = RequestRecord()

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}

/// What a route tells the request log and metrics.
final class RequestRecord: @unchecked Sendable {
    private let lock = NSLock()
    private var _tokens = 0
    private var _queueSeconds: Double?

    var tokens: Int {
        get { lock.withLock { _tokens } }
        set { lock.withLock { _tokens = newValue } }
    }

    var queueSeconds: Double? {
        get { lock.withLock { _queueSeconds } }
        set { lock.withLock { _queueSeconds = newValue } }
    }
}

extension RouteResponse {
    var httpResponse: Response {
        var fields = HTTPFields()
        fields[.contentType] = contentType
        for header in headers {
            if let name = HTTPField.Name(header.name) { fields[name] = header.value }
        }
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
