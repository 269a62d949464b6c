import CKernels
import MBFormat
import XCTest

/// The C int8 kernels give exactly the integers of a plain reference on every CPU tier
/// (portable, AVX2, AVX-512 VNNI), including ragged row and column counts.
final class PanelGemmTests: XCTestCase {
    override func tearDown() { mb_force_tier(-1) }

    private struct Case { let m: Int, n: Int, k: Int }

    private func random<T: FixedWidthInteger>(_ count: Int, in range: ClosedRange<T>, seed: inout UInt64) -> [T] {
        (0..<count).map { _ in
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let span = UInt64(Int(range.upperBound) - Int(range.lowerBound) + 1)
            return T(Int(range.lowerBound) + Int((seed >> 33) % span))
        }
    }

    func testIntegerProductMatchesReferenceOnEveryTier() {
        let cases = [Case(m: 1, n: 16, k: 4), Case(m: 7, n: 48, k: 68), Case(m: 13, n: 80, k: 64),
                     Case(m: 6, n: 64, k: 768), Case(m: 100, n: 272, k: 36), Case(m: 2, n: 1152, k: 128)]
        var seed: UInt64 = 7
        let available = mb_active_tier()
        for c in cases {
            let a: [UInt8] = random(c.m * c.k, in: 1...255, seed: &seed)      // quantized activations + 128
            let w: [Int8] = random(c.n * c.k, in: -127...127, seed: &seed)
            let packed = PanelLayout.pack(w, rows: c.n, cols: c.k)
            let sums: [Int32] = (0..<c.n).map { j in (0..<c.k).reduce(Int32(0)) { $0 + Int32(w[j * c.k + $1]) } }
            var expected = [Int32](repeating: 0, count: c.m * c.n)
            for i in 0..<c.m {
                for j in 0..<c.n {
                    var s: Int32 = 0
                    for p in 0..<c.k { s += (Int32(a[i * c.k + p]) - 128) * Int32(w[j * c.k + p]) }
                    expected[i * c.n + j] = s
                }
            }
            for tier in 0...available {
                mb_force_tier(Int32(tier))
                var got = [Int32](repeating: -1, count: c.m * c.n)
                mb_gemm_u8s8_panels_i32(Int32(c.m), Int32(c.n), Int32(c.k), a, Int32(c.k), packed, sums, &got, Int32(c.n))
                XCTAssertEqual(got, expected, "tier \(tier), m \(c.m) n \(c.n) k \(c.k)")
                var kernelSums = [Int32](repeating: -1, count: c.n)
                mb_row_sums_i8panels(packed, Int32(c.n), Int32(c.k), &kernelSums)
                XCTAssertEqual(kernelSums, sums, "row sums, tier \(tier), n \(c.n) k \(c.k)")
            }
        }
    }

    func testFloatEpilogueIsIdenticalAcrossTiers() {
        let m = 9, n = 96, k = 132
        var seed: UInt64 = 11
        let x: [Float] = (random(m * k, in: -1000...1000, seed: &seed) as [Int32]).map { Float($0) / 333 }
        let w: [Int8] = random(n * k, in: -127...127, seed: &seed)
        let packed = PanelLayout.pack(w, rows: n, cols: k)
        let sums: [Int32] = (0..<n).map { j in (0..<k).reduce(Int32(0)) { $0 + Int32(w[j * k + $1]) } }
        let wScale: [Float] = (0..<n).map { Float($0 + 1) / 1000 }
        let bias: [Float] = (0..<n).map { Float($0) / 10 }
        var results: [[Float]] = []
        var quantized: [UInt8] = [], rowScales: [Float] = []
        for tier in 0...mb_active_tier() {
            mb_force_tier(Int32(tier))
            var q = [UInt8](repeating: 0, count: m * k), scales = [Float](repeating: 0, count: m)
            mb_quantize_rows_u8(x, Int32(m), Int32(k), Int32(k), &q, Int32(k), &scales)
            if tier == 0 { (quantized, rowScales) = (q, scales) }
            XCTAssertEqual(q, quantized, "tier \(tier) activation quantization")
            var out = [Float](repeating: .nan, count: m * n)
            mb_gemm_u8s8_panels(Int32(m), Int32(n), Int32(k), q, Int32(k), packed, sums, scales, wScale, bias, &out, Int32(n))
            results.append(out)
        }
        for r in results.dropFirst() { XCTAssertEqual(r, results[0]) }
        // The result is the dequantized product of the quantized operands, to float rounding.
        for i in 0..<m {
            XCTAssertEqual(rowScales[i], x[(i * k)..<((i + 1) * k)].map { abs($0) }.max()! / 127)
            for j in 0..<n {
                var dot = 0.0
                for p in 0..<k { dot += Double(Int(quantized[i * k + p]) - 128) * Double(w[j * k + p]) }
                let exact = dot * Double(rowScales[i]) * Double(wScale[j]) + Double(bias[j])
                XCTAssertEqual(Double(results[0][i * n + j]), exact, accuracy: 1e-5 * max(1, abs(exact)))
            }
        }
    }

    func testHalfWideningMatchesSwift() {
        let values: [Float] = [0, -0.0, 1, -2.5, 65504, 6.1e-5, 5.96e-8, 1e-7, .infinity, 0.333]
        let halves = values.map { Float16($0).bitPattern } + (0..<37).map { UInt16($0 * 1700) }
        for tier in 0...mb_active_tier() {
            mb_force_tier(Int32(tier))
            var out = [Float](repeating: .nan, count: halves.count)
            mb_f16_to_f32(halves, &out, halves.count)
            for (h, f) in zip(halves, out) {
                let expected = Float(Float16(bitPattern: h))
                XCTAssertTrue(expected == f || (expected.isNaN && f.isNaN), "tier \(tier): \(h) -> \(f), expected \(expected)")
            }
        }
    }
}
