import ArgumentParser
import Foundation
import MBRuntime

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure load time, throughput, latency and peak memory of a model file.",
        discussion: "Inputs are random token ids (fixed seed), so runs are comparable across engines and machines.")

    @Argument(help: "Model file (not needed with --kernels).")
    var file: String?

    @Flag(help: "Measure the kernels instead of a model: the int8 peak of this CPU, the W8A8 GEMM and OpenBLAS fp32 GEMM.")
    var kernels = false

    @Option(help: "Sequences per batch.")
    var batch = 1

    @Option(help: "Tokens per sequence.")
    var seq = 128

    @Option(help: "A file with one sequence length per line (a mixed-length batch); overrides --batch/--seq.")
    var lengths: String?

    @Option(help: "Threads for matrix products (default: all cores).")
    var threads: Int?

    @Option(help: "How int8 weights run: w8a32 (weight-only) or w8a8 (int8 activations); default: the file's recorded mode.")
    var mode: ExecutionMode?

    @Option(help: ArgumentHelp("Run the kernels of at most this tier: \(KernelInfo.Tier.allCases.map(\.name).joined(separator: ", ")).",
                               discussion: "A lower tier measures on this machine what a host with fewer instructions gets (avx2 on an AVX-512 machine: an AVX2-only host). A tier this CPU lacks runs the best one below it that it has."))
    var kernelTier: KernelInfo.Tier?

    @Option(help: "Timed iterations after one warm-up run.")
    var iterations = 5

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        if let threads { Threading.setThreads(threads) }
        if let kernelTier { KernelInfo.limit(to: kernelTier) }
        if kernels { return runKernels() }
        guard let file else { throw ValidationError("give a model file, or --kernels") }
        let loadStart = DispatchTime.now()
        let model = try ModernBert(contentsOf: URL(fileURLWithPath: file), mode: mode)
        let loadMs = milliseconds(since: loadStart)

        let shape = try sequenceLengths()
        var generator = SplitMix64(seed: 42)
        let vocab = UInt64(model.config.vocabSize)
        let sequences = shape.map { n in (0..<n).map { _ in Int32(generator.next() % vocab) } }
        let tokens = shape.reduce(0, +)

        let firstStart = DispatchTime.now()
        _ = try model.forward(sequences)
        let firstMs = milliseconds(since: firstStart)
        var latencies: [Double] = []
        for _ in 0..<max(1, iterations) {
            let start = DispatchTime.now()
            _ = try model.forward(sequences)
            latencies.append(milliseconds(since: start))
        }
        latencies.sort()
        let median = latencies[latencies.count / 2]
        let p90 = latencies[min(latencies.count - 1, Int((Double(latencies.count) * 0.9).rounded(.up)) - 1)]
        let result: [String: Any] = [
            "file": file, "mode": model.mode.rawValue, "weight_only": model.weightOnly.sorted(), "kernel_tier": KernelInfo.tierName, "cpu": KernelInfo.cpuModel, "cpu_features": KernelInfo.cpuFeatures, "tokens": tokens, "sequences": shape.count, "threads": Threading.threads,
            "tokens_per_second": Double(tokens) / (median / 1000),
            "latency_ms_median": median, "latency_ms_p90": p90, "first_forward_ms": firstMs,
            "load_ms": loadMs, "peak_rss_mb": PeakMemory.residentMegabytes(),
            "file_mb": Double(model.file.fileSize) / 1_048_576,
        ]
        if json {
            let data = try JSONSerialization.data(withJSONObject: result, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(String(format: "%@ (%@, kernels %@): %d sequences, %d tokens, %d threads", file, model.mode.rawValue, KernelInfo.tierName, shape.count, tokens, Threading.threads))
            print("  cpu: \(KernelInfo.cpuModel); \(KernelInfo.cpuFeatures)")
            print(String(format: "  load %.1f ms, first forward %.1f ms", loadMs, firstMs))
            print(String(format: "  %.0f tokens/s, latency median %.1f ms, p90 %.1f ms", Double(tokens) / (median / 1000), median, p90))
            print(String(format: "  peak RSS %.1f MB (file %.1f MB)", PeakMemory.residentMegabytes(), Double(model.file.fileSize) / 1_048_576))
        }
    }

    private func runKernels() {
        let cores = threads ?? ProcessInfo.processInfo.activeProcessorCount
        print("cpu: \(KernelInfo.cpuModel); \(KernelInfo.cpuFeatures)")
        print("kernel tier: \(KernelInfo.tierName) (best on this CPU: \(KernelInfo.bestTier.name)), \(cores) threads")
        let peak = KernelBenchmark.int8Peak(threads: cores)
        if let peak, let one = KernelBenchmark.int8Peak(threads: 1) {
            print(String(format: "int8 peak (%@, no memory): %.0f GOP/s on 1 thread, %.0f GOP/s on %d", peak.instruction,
                         one.gops, peak.gops, cores))
        } else {
            print("int8 peak: no probe for the \(KernelInfo.tierName) tier")
        }
        for (m, n, k) in [(1024, 2304, 768), (1024, 768, 1152), (16, 2304, 768)] {
            let g = KernelBenchmark.int8Gemm(m: m, n: n, k: k)
            let share = peak.map { String(format: " = %4.1f%% of peak", 100 * g / $0.gops) } ?? ""
            print(String(format: "W8A8 linear %4dx%4dx%4d: %6.0f GOP/s", m, n, k, g) + share)
        }
        let f = KernelBenchmark.fp32Gemm(m: 1024, n: 2304, k: 768)
        print(String(format: "OpenBLAS fp32 1024x2304x768: %.0f GFLOP/s", f))
    }

    private func sequenceLengths() throws -> [Int] {
        guard let lengths else {
            guard batch > 0, seq > 0 else { throw ValidationError("--batch and --seq must be positive") }
            return Array(repeating: seq, count: batch)
        }
        guard let text = try? String(contentsOfFile: lengths, encoding: .utf8) else { throw ValidationError("\(lengths): cannot read the file") }
        let values = text.split(whereSeparator: \.isNewline).compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 > 0 }) else { throw ValidationError("\(lengths): expected one positive length per line") }
        return values
    }

    private func milliseconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
    }
}

/// Peak resident memory of this process.
enum PeakMemory {
    static func residentMegabytes() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)  // glibc declares RUSAGE_SELF as an enum case
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        #if canImport(Darwin)
        return Double(usage.ru_maxrss) / 1_048_576  // bytes on Darwin
        #else
        return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
        #endif
    }
}

extension KernelInfo.Tier: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public static var allValueStrings: [String] { allCases.map(\.name) }
}
