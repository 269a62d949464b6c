import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// How many cores the runtime's matrix products use.
public enum Threading {
    /// Sets the number of threads OpenBLAS uses for GEMMs (attention tasks follow the machine's cores).
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// Cores the runtime's own parallel loops use.
    static let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// Runs `body` with OpenBLAS limited to the calling thread, for phases that parallelise themselves.
    static func withSingleThreadedBLAS<T>(_ body: () throws -> T) rethrows -> T {
        let saved = openblas_get_num_threads()
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(saved) }
        return try body()
    }
}
