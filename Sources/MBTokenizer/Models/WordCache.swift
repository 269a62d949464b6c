import Foundation

/// Remembers the BPE result of short words, which repeat constantly in natural text.
///
/// A shared cache guards itself with a lock; `Tokenizer.encodeBatch` gives each worker a
/// private, lock-free one instead so that threads never wait on each other.
final class WordCache: @unchecked Sendable {
    /// Words of up to 16 bytes packed into two integers: cheap to hash and compare.
    struct Key: Hashable {
        var low: UInt64
        var high: UInt64
        var count: Int

        static let maxBytes = 16

        @inline(__always)
        init?(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard bytes.count <= Self.maxBytes else { return nil }
            var low: UInt64 = 0
            var high: UInt64 = 0
            for (i, b) in bytes.enumerated() {
                if i < 8 { low |= UInt64(b) << (8 * UInt64(i)) } else { high |= UInt64(b) << (8 * UInt64(i - 8)) }
            }
            self.low = low
            self.high = high
            count = bytes.count
        }
    }

    /// Each entry packs `id << 32 | byteLength` for one token of the word.
    /// Held through a pointer rather than a stored `var`: a class's stored property pays a
    /// dynamic exclusivity check (thread-local bookkeeping) on every access, measurable at
    /// one lookup per word. The lock, or single ownership, already provides exclusivity.
    private let storage: UnsafeMutablePointer<[Key: [UInt64]]>
    private let lock: NSLock?
    private let capacity: Int

    init(shared: Bool, capacity: Int = 50_000) {
        lock = shared ? NSLock() : nil
        self.capacity = capacity
        storage = .allocate(capacity: 1)
        storage.initialize(to: [:])
    }

    deinit {
        storage.deinitialize(count: 1)
        storage.deallocate()
    }

    @inline(__always)
    func lookup(_ key: Key) -> [UInt64]? {
        lock?.lock()
        defer { lock?.unlock() }
        return storage.pointee[key]
    }

    /// Stores `tokens` unless the cache is full (entries are never evicted, as in Hugging Face).
    @inline(__always)
    func store(_ key: Key, _ tokens: [UInt64]) {
        lock?.lock()
        defer { lock?.unlock() }
        if storage.pointee.count < capacity { storage.pointee[key] = tokens }
    }
}
