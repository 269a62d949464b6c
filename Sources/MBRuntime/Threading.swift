import CBLAS
import Foundation

/// How many cores the runtime's matrix products use.
///
/// OpenBLAS's thread count is one process-wide setting. Attention lowers it to 1 while its own tasks
/// occupy the cores; with several forwards running at once (one model shared by many threads), those
/// phases overlap, so the change is reference-counted under a lock: the first forward to enter saves
/// the setting, the last to leave restores it, and `setThreads` during such a phase takes effect when
/// it ends. (Unguarded save/set/restore pairs from two threads could interleave and leave OpenBLAS
/// single-threaded for good.) Results do not depend on the thread count: OpenBLAS splits sgemm by rows
/// and columns, never along the reduction, so concurrent and serial runs agree bit for bit
/// (ConcurrencyTests).
public enum Threading {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var singleThreadedPhases = 0
    nonisolated(unsafe) private static var savedThreads: Int32 = 1

    /// Sets the number of threads OpenBLAS uses for GEMMs (attention tasks follow the machine's cores).
    public static func setThreads(_ count: Int) {
        let value = Int32(max(1, min(count, Int(Int32.max))))
        lock.lock()
        defer { lock.unlock() }
        if singleThreadedPhases > 0 { savedThreads = value } else { openblas_set_num_threads(value) }
    }

    public static var threads: Int {
        lock.lock()
        defer { lock.unlock() }
        return Int(singleThreadedPhases > 0 ? savedThreads : openblas_get_num_threads())
    }

    /// Cores the runtime's own parallel loops use.
    static let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// Runs `body` with OpenBLAS limited to the calling thread, for phases that parallelise themselves.
    static func withSingleThreadedBLAS<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        if singleThreadedPhases == 0 {
            savedThreads = openblas_get_num_threads()
            openblas_set_num_threads(1)
        }
        singleThreadedPhases += 1
        lock.unlock()
        defer {
            lock.lock()
            singleThreadedPhases -= 1
            if singleThreadedPhases == 0 { openblas_set_num_threads(savedThreads) }
            lock.unlock()
        }
        return try body()
    }
}
