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
}
