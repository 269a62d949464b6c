import Foundation
import MBRuntime

/// The one queue in front of the model: requests add token sequences, a dedicated model thread packs
/// whatever is waiting into one unpadded forward pass of at most `maxBatchTokens` tokens, runs it,
/// and hands each sequence's share of the output back to its request.
///
/// - Dynamic batching: there is no wait window. While a pass runs, new sequences queue up; the next
///   pass takes them (oldest first) up to the budget. Under load passes grow, idle ones stay small.
/// - The model never runs on an event loop or on Swift's cooperative pool: its thread blocks on a
///   condition variable when the queue is empty, and the runtime's own parallel loops (`--threads`)
///   do the work inside a pass.
/// - Results equal serial ones: `ModernBert.forward` gives a sequence the same values whatever it is
///   packed with (BatchCompositionTests; MBServerTests checks this queue against one-at-a-time runs).
/// - Backpressure: `reserve` admits at most `capacity` sequences in the system (queued or running,
///   counted over all requests); a request that does not fit is refused at once (429), never parked.
public final class BatchQueue: @unchecked Sendable {
    /// How long a request's sequences waited and ran (means over its sequences, as TEI reports them).
    public struct Timing: Sendable {
        public var queue: Duration
        public var inference: Duration
    }

    /// Whatever a request computes from its sequences' rows of a pass, on the model thread.
    public typealias Compute<T> = @Sendable (_ output: EncoderOutput, _ sequence: Int) -> T

    public let model: ModernBert
    public let maxBatchTokens: Int
    public let capacity: Int
    let metrics: ServerMetrics?

    private let condition = NSCondition()
    // Guarded by `condition`.
    private var pending: [Item] = []
    private var pendingHead = 0
    private var reserved = 0
    private var stopping = false
    private var running = false
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)

    private struct Item {
        let ids: [Int32]
        let enqueued: ContinuousClock.Instant
        /// Called on the model thread with the pass's output (or its error) and the sequence's index in it.
        let deliver: (Swift.Result<EncoderOutput, Error>, Int, _ queued: Duration, _ inference: Duration) -> Void
    }

    /// - Parameters:
    ///   - maxBatchTokens: the most tokens one pass packs (a longer single sequence still runs alone).
    ///   - capacity: the most sequences admitted at once (`reserve`).
    public init(model: ModernBert, maxBatchTokens: Int, capacity: Int, metrics: ServerMetrics? = nil) {
        self.model = model
        self.maxBatchTokens = max(1, maxBatchTokens)
        self.capacity = max(1, capacity)
        self.metrics = metrics
    }

    // MARK: - Lifecycle

    /// Starts the model thread.
    public func start() {
        condition.lock()
        defer { condition.unlock() }
        guard thread == nil else { return }
        running = true
        let thread = Thread { [self] in
            self.loop()
            self.finished.signal()
        }
        thread.name = "mbconvert-model"
        // A pass runs on this thread and the runtime's pool workers; the default 512 KiB of a
        // secondary thread is less than the main thread the CLI runs passes on.
        thread.stackSize = 16 << 20
        self.thread = thread
        thread.start()
    }

    /// Runs what is queued, then stops the model thread and waits for it.
    public func stop() {
        condition.lock()
        let started = thread != nil && running
        stopping = true
        condition.broadcast()
        condition.unlock()
        if started { finished.wait() }
    }

    /// The model thread is running and accepting work.
    public var isHealthy: Bool {
        condition.lock()
        defer { condition.unlock() }
        return running && !stopping
    }

    /// Sequences waiting for a pass.
    public var waiting: Int {
        condition.lock()
        defer { condition.unlock() }
        return pending.count - pendingHead
    }

    // MARK: - Admission

    /// Admits `count` sequences if they fit under `capacity`; pair with `release(count)`.
    public func reserve(_ count: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard reserved + count <= capacity else { return false }
        reserved += count
        metrics?.setInFlight(reserved)
        return true
    }

    public func release(_ count: Int) {
        condition.lock()
        defer { condition.unlock() }
        reserved = max(0, reserved - count)
        metrics?.setInFlight(reserved)
    }

    // MARK: - Submitting work

    /// Queues `sequences` and returns, in their order, what `compute` makes of each one's output.
    /// The sequences may run in different passes, packed with other requests' sequences.
    /// - Throws: the error of a failed pass, or `ServeError` when the queue has stopped.
    public func run<T: Sendable>(_ sequences: [[Int32]], _ compute: @escaping Compute<T>) async throws -> ([T], Timing) {
        guard !sequences.isEmpty else { return ([], Timing(queue: .zero, inference: .zero)) }
        return try await withCheckedThrowingContinuation { continuation in
            let group = Group<T>(count: sequences.count, continuation: continuation)
            let now = ContinuousClock.now
            let items = sequences.enumerated().map { index, ids in
                Item(ids: ids, enqueued: now) { output, sequence, queued, inference in
                    switch output {
                    case .success(let output): group.finish(index, compute(output, sequence), queued, inference)
                    case .failure(let error): group.fail(error)
                    }
                }
            }
            condition.lock()
            guard running && !stopping else {
                condition.unlock()
                continuation.resume(throwing: ServeError("the model queue has stopped"))
                return
            }
            pending.append(contentsOf: items)
            metrics?.setQueueSize(pending.count - pendingHead)
            condition.signal()
            condition.unlock()
        }
    }

    // MARK: - The model thread

    private func loop() {
        while let batch = nextBatch() {
            let start = ContinuousClock.now
            let result = Swift.Result { try model.forward(batch.map(\.ids)) }
            let inference = ContinuousClock.now - start
            metrics?.recordBatch(tokens: batch.reduce(0) { $0 + $1.ids.count }, sequences: batch.count,
                                 seconds: inference.seconds)
            for (index, item) in batch.enumerated() {
                item.deliver(result, index, start - item.enqueued, inference)
            }
        }
    }

    /// Blocks until work is queued; takes the oldest sequences that fit the token budget (at least one).
    /// Nil once stopping with nothing left.
    private func nextBatch() -> [Item]? {
        condition.lock()
        defer { condition.unlock() }
        while pending.count == pendingHead && !stopping { condition.wait() }
        guard pending.count > pendingHead else {
            running = false
            return nil
        }
        var end = pendingHead + 1
        var tokens = pending[pendingHead].ids.count
        while end < pending.count && tokens + pending[end].ids.count <= maxBatchTokens {
            tokens += pending[end].ids.count
            end += 1
        }
        let batch = Array(pending[pendingHead..<end])
        pendingHead = end
        // Compact now and then instead of shifting the array on every pass.
        if pendingHead > 1024 || pendingHead == pending.count {
            pending.removeFirst(pendingHead)
            pendingHead = 0
        }
        metrics?.setQueueSize(pending.count - pendingHead)
        return batch
    }
}

/// Collects one request's per-sequence results from the model thread and resumes it once all are in.
private final class Group<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [T?]
    private var remaining: Int
    private var queued = Duration.zero
    private var inference = Duration.zero
    private var failed = false
    private let continuation: CheckedContinuation<([T], BatchQueue.Timing), Error>

    init(count: Int, continuation: CheckedContinuation<([T], BatchQueue.Timing), Error>) {
        results = Array(repeating: nil, count: count)
        remaining = count
        self.continuation = continuation
    }

    func finish(_ index: Int, _ value: T, _ queued: Duration, _ inference: Duration) {
        lock.lock()
        results[index] = value
        self.queued += queued
        self.inference += inference
        remaining -= 1
        let done = remaining == 0 && !failed
        lock.unlock()
        guard done else { return }
        let n = results.count
        continuation.resume(returning: (results.map { $0! }, BatchQueue.Timing(queue: self.queued / n, inference: self.inference / n)))
    }

    func fail(_ error: Error) {
        lock.lock()
        let first = !failed
        failed = true
        lock.unlock()
        if first { continuation.resume(throwing: error) }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
    var milliseconds: Double { seconds * 1000 }
}
