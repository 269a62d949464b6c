import ArgumentParser
import Foundation
import MBFormat
import MBRuntime
import MBServer

/// `mbconvert serve`: a TEI-compatible HTTP server for one model file (Docs/serving.md).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a model over HTTP with Hugging Face text-embeddings-inference's API (embed, predict, rerank, tokenize, OpenAI embeddings).",
        discussion: """
        Concurrent requests are batched into shared forward passes of at most --max-batch-tokens tokens. \
        SIGTERM or SIGINT stops accepting connections, answers the requests in flight, and exits 0. \
        Routes, flags and examples: Docs/serving.md.
        """)

    @Argument(help: "Model file.")
    var file: String

    @Option(help: "Address to listen on (0.0.0.0 for every interface).")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 8080

    @Option(help: "Most tokens one forward pass packs from concurrent requests.")
    var maxBatchTokens = 16384

    @Option(help: "Most inputs one request may carry (more: 413).")
    var maxClientBatchSize = 32

    @Option(help: "Most inputs queued or running at once over all requests (more: 429).")
    var maxConcurrentRequests = 512

    @Option(help: "Largest request body in bytes (more: 413).")
    var payloadLimit = 2_000_000

    @Flag(help: "Truncate over-long inputs to the model's length unless a request says \"truncate\": false (default: refuse them with 422).")
    var autoTruncate = false

    @Option(help: "Require `Authorization: Bearer KEY` on every route but /health and /metrics (default: the MBCONVERT_API_KEY environment variable, if set).")
    var apiKey: String?

    @Option(help: "Pooling of an embedding model, one mode: cls, mean, max, ... as `embed --pooling` (default: the model file's, else mean).")
    var pooling: SentencePooling?

    @Option(help: "Model name reported by /info and /v1/embeddings (default: the file name).")
    var modelId: String?

    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        for (name, value) in [("--max-batch-tokens", maxBatchTokens), ("--max-client-batch-size", maxClientBatchSize),
                              ("--max-concurrent-requests", maxConcurrentRequests), ("--payload-limit", payloadLimit)] where value < 1 {
            throw ValidationError("\(name) must be at least 1")
        }
    }

    func run() async throws {
        HTTPServer.bootstrapLogging()
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.maxBatchTokens = maxBatchTokens
        configuration.maxClientBatchSize = maxClientBatchSize
        configuration.maxConcurrentRequests = maxConcurrentRequests
        configuration.payloadLimit = payloadLimit
        configuration.autoTruncate = autoTruncate
        configuration.apiKey = apiKey ?? ProcessInfo.processInfo.environment["MBCONVERT_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        configuration.pooling = pooling
        configuration.modelID = modelId ?? URL(fileURLWithPath: file).lastPathComponent

        let model = try runtime.loadModel(file)
        let served = try ServedModel(model: model, configuration: configuration)
        let service = InferenceService(served: served, configuration: configuration)
        try await HTTPServer(service: service).run()
    }
}
