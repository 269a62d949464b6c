import CKernels

/// The runtime's parallel loops: `body(t)` for every task index, spread over `Threading.threads`
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
                mb_parallel_for(Int32(tasks), Int32(Threading.threads), { raw, task in
                    raw!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(task))
                }, pointer)
            }
        }
    }

    /// Splits [0, count) into one contiguous range per thread, at least `minimumPerTask` each (so
    /// small work stays on the calling thread; `.max` keeps it there), and runs `body` on each
    /// non-empty range. Used for rows of element-wise kernels and for column slices of products,
    /// whose results do not depend on the split.
    static func ranges(_ count: Int, minimumPerTask: Int = 32, _ body: (Range<Int>) -> Void) {
        let tasks = max(1, min(Threading.threads, count / max(1, minimumPerTask)))
        run(tasks) { t in
            let first = count * t / tasks, last = count * (t + 1) / tasks
            if last > first { body(first..<last) }
        }
    }
}
