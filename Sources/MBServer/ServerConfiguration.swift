import MBFormat

/// What `mbconvert serve` is told on its command line; the names and defaults are TEI's router flags.
public struct ServerConfiguration: Sendable {
    /// Address to listen on (default loopback: expose it deliberately, e.g. `0.0.0.0` in a container).
    public var host = "127.0.0.1"
    public var port = 8080
    /// Most tokens one forward pass packs from the queue (TEI `--max-batch-tokens`).
    public var maxBatchTokens = 16384
    /// Most inputs one request may carry (TEI `--max-client-batch-size`); more get 413.
    public var maxClientBatchSize = 32
    /// Most inputs queued or running at once, counted over all requests (TEI `--max-concurrent-requests`,
    /// which TEI also counts per input); a request that does not fit gets 429 instead of waiting.
    public var maxConcurrentRequests = 512
    /// Largest request body in bytes (TEI `--payload-limit`); larger gets 413.
    public var payloadLimit = 2_000_000
    /// Truncate over-long inputs unless a request says `"truncate": false` (TEI `--auto-truncate`).
    public var autoTruncate = false
    /// When set, every route except /health, /metrics and GET / needs `Authorization: Bearer <key>`.
    public var apiKey: String?
    /// Pooling of an embedding model, overriding what the model file records.
    public var pooling: SentencePooling?
    /// The name /info and /v1/embeddings report (default: the model file's name).
    public var modelID = "model"

    public init() {}
}
