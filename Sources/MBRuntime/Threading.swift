import CBLAS
import Foundation

/// How many threads the runtime uses.
///
/// All of the runtime's parallelism is its own: `ParallelLoop` (a fork-join pool whose workers spin
/// briefly between loops) splits linear layers by output columns, attention by (sequence, head,
/// query block), and W8A8 layers over many tokens by chunks of rows (`EncoderLayer+RowChunks`);
/// OpenBLAS is called single-threaded on those slices. Two pools on the same cores,
/// ours and OpenBLAS's (whose threads also busy-wait between calls), would compete for them.
/// Results do not depend on the thread count: no split divides a reduction, so every output element
/// is computed by the same instructions in the same order (ThreadingTests).
public enum Threading {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var workers = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// OpenBLAS single-threaded with its idle workers stopped, once before the first product.
    private static let blasConfigured: Void = {
        openblas_set_num_threads(1)
        mb_openblas_stop_threads()
    }()

    /// Sets the number of threads for the runtime's parallel loops (default: every online core).
    public static func setThreads(_ count: Int) {
        lock.lock()
        defer { lock.unlock() }
        workers = max(1, count)
    }

    /// Threads the parallel loops use.
    public static var threads: Int {
        lock.lock()
        defer { lock.unlock() }
        return workers
    }

    /// Call before running products (model load does).
    static func prepare() { _ = blasConfigured }
}
