import CKernels

/// The runtime's parallel loops: `body(t)` for every task index, spread over `Threading.cores`
/// threads by the C fork-join pool (`mb_parallel_for`), whose workers stay awake between the
/// many short loops of one forward pass.
enum ParallelLoop {
    static func run(_ tasks: Int, _ body: (Int) -> Void) {
        if tasks <= 1 {
            if tasks == 1 { body(0) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            var context = escapable
            withUnsafeMutablePointer(to: &context) { pointer in
                mb_parallel_for(Int32(tasks), Int32(Threading.cores), { raw, task in
                    raw!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(task))
                }, pointer)
            }
        }
    }

    /// Splits rows [0, rows) into one contiguous range per thread (at least `minimumRows` each, so
    /// short inputs stay on the calling thread) and runs `body` on each: for row-wise element-wise
    /// kernels, whose results do not depend on the split.
    static func rows(_ rows: Int, minimumRows: Int = 32, _ body: (Range<Int>) -> Void) {
        let tasks = max(1, min(Threading.cores, rows / max(1, minimumRows)))
        run(tasks) { t in
            let first = rows * t / tasks, last = rows * (t + 1) / tasks
            if last > first { body(first..<last) }
        }
    }
}
