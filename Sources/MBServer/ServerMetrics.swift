import Foundation

/// The server's Prometheus metrics, kept under one lock and rendered in the text exposition format
/// (version 0.0.4) by `GET /metrics`.
///
/// | metric | type | labels |
/// |---|---|---|
/// | `mbconvert_requests_total` | counter | `route`, `status` |
/// | `mbconvert_request_duration_seconds` | histogram | `route` |
/// | `mbconvert_request_tokens_total` | counter | `route` |
/// | `mbconvert_queue_duration_seconds` | histogram (per request: mean wait of its inputs) | |
/// | `mbconvert_inference_duration_seconds` | histogram (per forward pass) | |
/// | `mbconvert_batch_tokens` | histogram (per forward pass) | |
/// | `mbconvert_batch_size` | histogram (sequences per forward pass) | |
/// | `mbconvert_queue_size` | gauge (sequences waiting for a pass) | |
/// | `mbconvert_inputs_in_flight` | gauge (inputs admitted, queued or running) | |
public final class ServerMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [Key: Int] = [:]
    private var requestTokens: [String: Int] = [:]
    private var requestDuration: [String: Histogram] = [:]
    private var queueDuration = Histogram(bounds: Histogram.secondsBounds)
    private var inferenceDuration = Histogram(bounds: Histogram.secondsBounds)
    private var batchTokens = Histogram(bounds: [16, 64, 256, 1024, 2048, 4096, 8192, 16384, 32768])
    private var batchSize = Histogram(bounds: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512])
    private var queueSize = 0
    private var inFlight = 0

    private struct Key: Hashable { var route: String; var status: Int }

    public init() {}

    /// One finished request: its route (the path pattern, or "unmatched"), status, tokens and seconds.
    public func recordRequest(route: String, status: Int, tokens: Int, seconds: Double, queueSeconds: Double?) {
        lock.lock()
        defer { lock.unlock() }
        requests[Key(route: route, status: status), default: 0] += 1
        requestTokens[route, default: 0] += tokens
        requestDuration[route, default: Histogram(bounds: Histogram.secondsBounds)].observe(seconds)
        if let queueSeconds { queueDuration.observe(queueSeconds) }
    }

    func recordBatch(tokens: Int, sequences: Int, seconds: Double) {
        lock.lock()
        defer { lock.unlock() }
        inferenceDuration.observe(seconds)
        batchTokens.observe(Double(tokens))
        batchSize.observe(Double(sequences))
    }

    func setQueueSize(_ n: Int) {
        lock.lock()
        queueSize = n
        lock.unlock()
    }

    func setInFlight(_ n: Int) {
        lock.lock()
        inFlight = n
        lock.unlock()
    }

    /// The exposition text.
    public func render() -> String {
        lock.lock()
        defer { lock.unlock() }
        var out = ""
        out += "# HELP mbconvert_requests_total HTTP requests by route and status.\n# TYPE mbconvert_requests_total counter\n"
        for (key, n) in requests.sorted(by: { ($0.key.route, $0.key.status) < ($1.key.route, $1.key.status) }) {
            out += "mbconvert_requests_total{route=\"\(escape(key.route))\",status=\"\(key.status)\"} \(n)\n"
        }
        out += "# HELP mbconvert_request_tokens_total Input tokens of successful requests by route.\n# TYPE mbconvert_request_tokens_total counter\n"
        for (route, n) in requestTokens.sorted(by: { $0.key < $1.key }) {
            out += "mbconvert_request_tokens_total{route=\"\(escape(route))\"} \(n)\n"
        }
        out += "# HELP mbconvert_request_duration_seconds Time from request to response by route.\n# TYPE mbconvert_request_duration_seconds histogram\n"
        for (route, h) in requestDuration.sorted(by: { $0.key < $1.key }) {
            out += h.render("mbconvert_request_duration_seconds", labels: "route=\"\(escape(route))\"")
        }
        out += "# HELP mbconvert_queue_duration_seconds Time a request's inputs waited for a forward pass (mean over its inputs).\n# TYPE mbconvert_queue_duration_seconds histogram\n"
        out += queueDuration.render("mbconvert_queue_duration_seconds")
        out += "# HELP mbconvert_inference_duration_seconds Time of one forward pass.\n# TYPE mbconvert_inference_duration_seconds histogram\n"
        out += inferenceDuration.render("mbconvert_inference_duration_seconds")
        out += "# HELP mbconvert_batch_tokens Tokens packed into one forward pass.\n# TYPE mbconvert_batch_tokens histogram\n"
        out += batchTokens.render("mbconvert_batch_tokens")
        out += "# HELP mbconvert_batch_size Sequences packed into one forward pass.\n# TYPE mbconvert_batch_size histogram\n"
        out += batchSize.render("mbconvert_batch_size")
        out += "# HELP mbconvert_queue_size Sequences waiting for a forward pass.\n# TYPE mbconvert_queue_size gauge\nmbconvert_queue_size \(queueSize)\n"
        out += "# HELP mbconvert_inputs_in_flight Inputs admitted and not yet answered (limit: --max-concurrent-requests).\n# TYPE mbconvert_inputs_in_flight gauge\nmbconvert_inputs_in_flight \(inFlight)\n"
        return out
    }

    /// Label values escape backslash, double quote and newline.
    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// A Prometheus histogram: cumulative bucket counts at fixed upper bounds, plus +Inf, sum and count.
struct Histogram {
    static let secondsBounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    let bounds: [Double]
    private(set) var counts: [Int]
    private(set) var sum = 0.0
    private(set) var count = 0

    init(bounds: [Double]) {
        self.bounds = bounds
        counts = Array(repeating: 0, count: bounds.count)
    }

    mutating func observe(_ value: Double) {
        // Bucket `le` counts values <= its bound; rendering accumulates.
        if let i = bounds.firstIndex(where: { value <= $0 }) { counts[i] += 1 }
        sum += value
        count += 1
    }

    func render(_ name: String, labels: String = "") -> String {
        let sep = labels.isEmpty ? "" : ","
        var out = ""
        var cumulative = 0
        for (bound, n) in zip(bounds, counts) {
            cumulative += n
            out += "\(name)_bucket{\(labels)\(sep)le=\"\(format(bound))\"} \(cumulative)\n"
        }
        out += "\(name)_bucket{\(labels)\(sep)le=\"+Inf\"} \(count)\n"
        let braces = labels.isEmpty ? "" : "{\(labels)}"
        out += "\(name)_sum\(braces) \(format(sum))\n\(name)_count\(braces) \(count)\n"
        return out
    }

    private func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
    }
}
