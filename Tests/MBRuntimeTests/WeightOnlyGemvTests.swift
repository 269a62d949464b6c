import CKernels
import MBFormat
import XCTest

/// The few-row weight-only kernels (int8 panels, int8 rows, fp16, bf16 converted in registers)
/// match a double-precision reference on every CPU tier, for ragged row, column and depth counts.
final class WeightOnlyGemvTests: XCTestCase {
    override func tearDown() { mb_force_tier(-1) }

    private var seed: UInt64 = 3
    private func next() -> Double {
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        return Double(seed >> 11) / Double(1 << 53) * 2 - 1
    }

    /// Checks `run` (which fills out [m, n]) against sum_p x[i][p] * w(j, p) * scale[j] + bias[j].
    private func check(m: Int, n: Int, k: Int, weight: (Int, Int) -> Double, scale: [Float]?, bias: [Float]?,
                       x: [Float], label: String, run: (inout [Float]) -> Void) {
        for tier in KernelTiers.all(self) {
            mb_force_tier(Int32(tier))
            var out = [Float](repeating: .nan, count: m * n)
            run(&out)
            for i in 0..<m {
                for j in 0..<n {
                    var dot = 0.0, magnitude = 0.0
                    for p in 0..<k {
                        let term = Double(x[i * k + p]) * weight(j, p)
                        dot += term; magnitude += abs(term)
                    }
                    let s = Double(scale?[j] ?? 1), expected = dot * s + Double(bias?[j] ?? 0)
                    XCTAssertEqual(Double(out[i * n + j]), expected, accuracy: 1e-6 * (magnitude * abs(s) + 1),
                                   "\(label) tier \(tier) m \(m) n \(n) k \(k) [\(i), \(j)]")
                }
            }
        }
    }

    func testInt8PanelsMatchReference() {
        for (m, n, k) in [(1, 16, 4), (3, 48, 68), (8, 32, 768), (13, 80, 132), (17, 16, 8)] {
            let w: [Int8] = (0..<(n * k)).map { _ in Int8(next() * 127) }
            let packed = PanelLayout.pack(w, rows: n, cols: k)
            let x: [Float] = (0..<(m * k)).map { _ in Float(next()) }
            let scale: [Float] = (0..<n).map { _ in Float(abs(next())) / 100 }
            let bias: [Float] = (0..<n).map { _ in Float(next()) }
            for b in [bias, nil] {
                check(m: m, n: n, k: k, weight: { Double(w[$0 * k + $1]) }, scale: scale, bias: b, x: x, label: "i8 panels") { out in
                    mb_gemv_f32_i8panels(Int32(m), Int32(n), Int32(k), x, Int32(k), packed, scale, b, &out, Int32(n))
                }
            }
        }
    }

    func testRowMajorWeightsMatchReference() {
        for (m, n, k) in [(1, 1, 1), (2, 5, 15), (4, 7, 17), (5, 37, 100), (9, 4, 768)] {
            let x: [Float] = (0..<(m * k)).map { _ in Float(next()) }
            let bias: [Float] = (0..<n).map { _ in Float(next()) }
            let q: [Int8] = (0..<(n * k)).map { _ in Int8(next() * 127) }
            let scale: [Float] = (0..<n).map { _ in Float(abs(next())) / 100 }
            check(m: m, n: n, k: k, weight: { Double(q[$0 * k + $1]) }, scale: scale, bias: bias, x: x, label: "i8 rows") { out in
                mb_gemv_f32_i8rows(Int32(m), Int32(n), Int32(k), x, Int32(k), q, scale, bias, &out, Int32(n))
            }
            let halves: [UInt16] = (0..<(n * k)).map { _ in Float16(next()).bitPattern }
            check(m: m, n: n, k: k, weight: { Double(Float16(bitPattern: halves[$0 * k + $1])) }, scale: nil, bias: nil, x: x,
                  label: "f16 rows") { out in
                mb_gemv_f32_f16rows(Int32(m), Int32(n), Int32(k), x, Int32(k), halves, nil, nil, &out, Int32(n))
            }
            let brains: [UInt16] = (0..<(n * k)).map { _ in UInt16(Float(next()).bitPattern >> 16) }
            check(m: m, n: n, k: k, weight: { Double(Float(bitPattern: UInt32(brains[$0 * k + $1]) << 16)) }, scale: nil, bias: bias,
                  x: x, label: "bf16 rows") { out in
                mb_gemv_f32_bf16rows(Int32(m), Int32(n), Int32(k), x, Int32(k), brains, nil, bias, &out, Int32(n))
            }
        }
    }
}
