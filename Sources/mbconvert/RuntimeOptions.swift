import ArgumentParser
import Foundation
import MBRuntime

/// Options shared by the commands that run a model: how int8 weights execute and how many threads.
struct RuntimeOptions: ParsableArguments {
    @Option(help: "How int8 weights run: w8a32 (weight-only, closest to fp32) or w8a8 (int8 activations, fastest with AVX-512 VNNI). See Docs/quantization.md.")
    var mode: ExecutionMode = .w8a32

    @Option(help: "Threads for matrix products and attention (default: all cores).")
    var threads: Int?

    func loadModel(_ path: String) throws -> ModernBert {
        if let threads { Threading.setThreads(threads) }
        return try ModernBert(contentsOf: URL(fileURLWithPath: path), mode: mode)
    }
}
