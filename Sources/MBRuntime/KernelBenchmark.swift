import CKernels
import Dispatch
import Foundation
import MBFormat

/// Micro-benchmarks of the kernels against the machine's own peak, for `mbconvert bench --kernels`.
public enum KernelBenchmark {
    public struct Result: Sendable {
        public var name: String
        /// Giga-operations per second (a multiply-add counts as 2).
        public var gops: Double
    }

    private static func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// The active tier's int8 peak on `threads` threads, from independent chains of its dot-product
    /// instruction (`instruction` names it); nil when the tier has no probe.
    public static func int8Peak(threads: Int) -> (gops: Double, instruction: String)? {
        var name: UnsafePointer<CChar>?
        guard mb_int8_peak_probe(1, &name) > 0, let name else { return nil }
        let iterations: Int64 = 20_000_000
        let ops = ManagedAtomicCounter()
        let time = seconds {
            DispatchQueue.concurrentPerform(iterations: threads) { _ in ops.add(mb_int8_peak_probe(iterations, nil)) }
        }
        return (Double(ops.value) / time / 1e9, String(cString: name))
    }

    /// The W8A8 linear kernel (quantize + GEMM + epilogue) on an [m, k] x [n, k] product.
    public static func int8Gemm(m: Int, n: Int, k: Int, repeats: Int = 5) -> Double {
        var generator = SystemRandomNumberGenerator()
        let x = (0..<(m * k)).map { _ in Float.random(in: -1...1, using: &generator) }
        let w = (0..<(n * k)).map { _ in Int8.random(in: -127...127, using: &generator) }
        let packed = PanelLayout.pack(w, rows: n, cols: k)
        let scales = [Float](repeating: 0.01, count: n)
        var y = [Float](repeating: 0, count: m * n)
        var best = Double.infinity
        packed.withUnsafeBufferPointer { wp in
            scales.withUnsafeBufferPointer { sp in
                x.withUnsafeBufferPointer { xp in
                    y.withUnsafeMutableBufferPointer { yp in
                        let sums = WeightMatrix(storage: .int8Panels(wp.baseAddress!, scales: sp.baseAddress!), rows: n, cols: k)
                            .int8RowSums() ?? []
                        for _ in 0..<repeats {
                            best = min(best, seconds {
                                LinearInput.float(xp.baseAddress!).withQuantizedRows(rows: m, cols: k) { q in
                                    PanelGemm.apply(q, rows: m, k: k, n: n, weights: wp.baseAddress!, rowSums: sums,
                                                    weightScales: sp.baseAddress!, bias: nil, into: yp.baseAddress!)
                                }
                            })
                        }
                    }
                }
            }
        }
        return 2 * Double(m) * Double(n) * Double(k) / best / 1e9
    }

    /// OpenBLAS fp32 on the same shape, through the fp32 linear layer the model runs.
    public static func fp32Gemm(m: Int, n: Int, k: Int, repeats: Int = 5) -> Double {
        Threading.prepare()
        let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: n * k)
        var c = [Float](repeating: 0, count: m * n)
        var best = Double.infinity
        b.withUnsafeBufferPointer { weights in
            c.withUnsafeMutableBufferPointer { out in
                let linear = Linear(weight: WeightMatrix(storage: .f32(weights.baseAddress!), rows: n, cols: k), bias: nil)
                for _ in 0..<repeats {
                    best = min(best, seconds { linear(a, rows: m, into: out.baseAddress!) })
                }
            }
        }
        return 2 * Double(m) * Double(n) * Double(k) / best / 1e9
    }
}

/// A sum that several threads add to (the peak probe's operation counts).
private final class ManagedAtomicCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var total: Int64 = 0
    func add(_ value: Int64) { lock.lock(); total += value; lock.unlock() }
    var value: Int64 { lock.lock(); defer { lock.unlock() }; return total }
}
