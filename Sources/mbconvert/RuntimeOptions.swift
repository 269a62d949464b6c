import ArgumentParser
import Foundation
import MBRuntime

/// Options shared by the commands that run a model: how int8 weights execute and how many threads.
struct RuntimeOptions: ParsableArguments {
    @Option(help: "How int8 weights run: w8a32 (weight-only) or w8a8 (int8 activations); default: the mode the file records (quantize --int8 measures it), else w8a32. See Docs/quantization.md.")
    var mode: ExecutionMode?

    @Option(help: "Threads for matrix products and attention (default: all cores).")
    var threads: Int?

    func loadModel(_ path: String) throws -> ModernBert {
        if let threads { Threading.setThreads(threads) }
        return try ModernBert(contentsOf: URL(fileURLWithPath: path), mode: mode)
    }
}
