import Foundation

/// Reusable float buffers for kernels that need large temporary space on every call.
///
/// Allocating a few megabytes per linear layer costs page faults on every call (glibc serves big
/// blocks with fresh mmaps); buffers returned here are handed out again, so after the first
/// forward no call touches a new page. At most one buffer per concurrent user is kept.
final class ScratchPool: @unchecked Sendable {
    static let shared = ScratchPool()

    private let lock = NSLock()
    private var free: [(pointer: UnsafeMutablePointer<Float>, capacity: Int)] = []

    /// Runs `body` with a buffer of at least `count` floats.
    func withBuffer<T>(count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> T) rethrows -> T {
        lock.lock()
        var buffer: (pointer: UnsafeMutablePointer<Float>, capacity: Int)
        if let index = free.firstIndex(where: { $0.capacity >= count }) {
            buffer = free.remove(at: index)
        } else if !free.isEmpty {
            let small = free.removeLast()
            small.pointer.deallocate()
            buffer = (.allocate(capacity: count), count)
        } else {
            buffer = (.allocate(capacity: count), count)
        }
        lock.unlock()
        defer {
            lock.lock()
            free.append(buffer)
            lock.unlock()
        }
        return try body(buffer.pointer)
    }
}
