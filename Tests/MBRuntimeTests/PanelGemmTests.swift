import CKernels
import MBFormat
import XCTest

/// The C int8 kernels give exactly the integers of a plain reference on every CPU tier
/// (x86: portable, AVX2, AVX-VNNI, AVX-512, AVX-512 VNNI), including ragged row and column counts.
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
                     Case(m: 6, n: 64, k: 768), Case(m: 100, n: 272, k: 36), Case(m: 2, n: 1152, k: 128),
                     Case(m: 3, n: 16, k: 16_388)]  // past the AVX2 kernel's activation buffer: its fallback
        var seed: UInt64 = 7
        let available = KernelTiers.all(self)
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
            for tier in available {
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

    /// The extremes of both operands, where a kernel that adds products in 16 bits (AVX2's
    /// vpmaddubsw) would saturate: activations q = +-127 (bytes 1 and 255) against weights +-127 in
    /// every sign combination, then mixtures of every byte either operand can hold (q = -128 and
    /// w = -128 included, though the quantizers never make them). Odd panel counts, ragged rows and a
    /// k that is not a multiple of 32 reach every tile shape and tail.
    func testSaturationEdgesAreExactOnEveryTier() {
        let (m, n, k) = (5, 48, 772)
        var seed: UInt64 = 3
        var patterns: [(a: [UInt8], w: [Int8])] = []
        for (aByte, wByte) in [(UInt8(255), Int8(127)), (1, 127), (255, -127), (1, -127), (0, -128), (0, 127), (255, -128)] {
            patterns.append((Array(repeating: aByte, count: m * k), Array(repeating: wByte, count: n * k)))
        }
        let aChoices: [UInt8] = [0, 1, 2, 127, 128, 129, 254, 255], wChoices: [Int8] = [-128, -127, -126, -1, 0, 1, 126, 127]
        for _ in 0..<3 {
            let a = (random(m * k, in: 0...7, seed: &seed) as [Int]).map { aChoices[$0] }
            let w = (random(n * k, in: 0...7, seed: &seed) as [Int]).map { wChoices[$0] }
            patterns.append((a, w))
        }
        // Pairs of neighbouring k with equal signs on both sides: the largest pair sums there are.
        patterns.append(((0..<(m * k)).map { ($0 / 2) % 2 == 0 ? 255 : 1 }, (0..<(n * k)).map { ($0 / 2) % 3 == 0 ? -127 : 127 }))
        for (index, pattern) in patterns.enumerated() {
            let packed = PanelLayout.pack(pattern.w, rows: n, cols: k)
            let sums: [Int32] = (0..<n).map { j in (0..<k).reduce(Int32(0)) { $0 + Int32(pattern.w[j * k + $1]) } }
            var expected = [Int32](repeating: 0, count: m * n)
            for i in 0..<m {
                for j in 0..<n {
                    var s: Int32 = 0
                    for p in 0..<k { s += (Int32(pattern.a[i * k + p]) - 128) * Int32(pattern.w[j * k + p]) }
                    expected[i * n + j] = s
                }
            }
            for tier in KernelTiers.all(self) {
                mb_force_tier(Int32(tier))
                var got = [Int32](repeating: -1, count: m * n)
                mb_gemm_u8s8_panels_i32(Int32(m), Int32(n), Int32(k), pattern.a, Int32(k), packed, sums, &got, Int32(n))
                XCTAssertEqual(got, expected, "pattern \(index), tier \(tier)")
            }
        }
    }

    /// Quantized activations, packed weights and the exact dequantized product y (in Double) for
    /// the epilogue tests.
    private struct EpilogueCase {
        let m = 9, n = 96, k = 132
        var packed: [Int8] = [], sums: [Int32] = [], wScale: [Float] = [], bias: [Float] = []
        var q: [UInt8] = [], rowScales: [Float] = [], x: [Float] = []
        var y: [Double] = []

        init(seed start: UInt64, random: (Int, inout UInt64) -> [Int32]) {
            var seed = start
            x = random(m * k, &seed).map { Float($0 % 1001) / 333 }
            let w = random(n * k, &seed).map { Int8(clamping: $0 % 128) }
            packed = PanelLayout.pack(w, rows: n, cols: k)
            sums = (0..<n).map { j in (0..<k).reduce(Int32(0)) { $0 + Int32(w[j * k + $1]) } }
            wScale = (0..<n).map { Float($0 + 1) / 1000 }
            bias = (0..<n).map { Float($0) / 10 - 4 }
            q = [UInt8](repeating: 0, count: m * k)
            rowScales = [Float](repeating: 0, count: m)
            mb_quantize_rows_u8(x, Int32(m), Int32(k), Int32(k), &q, Int32(k), &rowScales)
            y = (0..<(m * n)).map { [self] index in
                let (i, j) = (index / n, index % n)
                var dot = 0.0
                for p in 0..<k { dot += Double(Int(q[i * k + p]) - 128) * Double(w[j * k + p]) }
                return dot * Double(rowScales[i]) * Double(wScale[j]) + Double(bias[j])
            }
        }
    }

    private func epilogueCase() -> EpilogueCase {
        EpilogueCase(seed: 11) { count, seed in self.random(count, in: -1000...1000, seed: &seed) }
    }

    func testFloatEpilogueIsIdenticalAcrossTiers() {
        let c = epilogueCase()
        var results: [[Float]] = [], sums: [[Float]] = []
        for tier in KernelTiers.all(self) {
            mb_force_tier(Int32(tier))
            var q = [UInt8](repeating: 0, count: c.m * c.k), scales = [Float](repeating: 0, count: c.m)
            mb_quantize_rows_u8(c.x, Int32(c.m), Int32(c.k), Int32(c.k), &q, Int32(c.k), &scales)
            XCTAssertEqual(q, c.q, "tier \(tier) activation quantization")
            var out = [Float](repeating: .nan, count: c.m * c.n)
            mb_gemm_u8s8_panels(Int32(c.m), Int32(c.n), Int32(c.k), q, Int32(c.k), c.packed, c.sums, scales, c.wScale,
                                c.bias, 0, &out, Int32(c.n))
            results.append(out)
            // accumulate = 1 adds y to what the output holds (here 1000 + i).
            var residual = (0..<(c.m * c.n)).map { Float(1000 + $0) }
            mb_gemm_u8s8_panels(Int32(c.m), Int32(c.n), Int32(c.k), q, Int32(c.k), c.packed, c.sums, scales, c.wScale,
                                c.bias, 1, &residual, Int32(c.n))
            sums.append(residual)
        }
        for r in results.dropFirst() { XCTAssertEqual(r, results[0]) }
        for r in sums.dropFirst() { XCTAssertEqual(r, sums[0]) }
        // The result is the dequantized product of the quantized operands, to float rounding.
        for i in 0..<c.m {
            XCTAssertEqual(c.rowScales[i], c.x[(i * c.k)..<((i + 1) * c.k)].map { abs($0) }.max()! / 127)
        }
        for (index, exact) in c.y.enumerated() {
            XCTAssertEqual(Double(results[0][index]), exact, accuracy: 1e-5 * max(1, abs(exact)))
            XCTAssertEqual(Double(sums[0][index]), exact + Double(1000 + index), accuracy: 1e-4)
        }
    }

    /// Column blocks (head-major q, k, v): every value lands where the layout says, equal to the
    /// plain product's, on every tier; nothing else in the buffer is written. Blocks of 32 columns,
    /// starting mid-block (col0 = 16), with a gap of 5 floats between blocks.
    func testColumnBlocksPlaceThePlainProduct() {
        let c = epilogueCase(), width = 32, col0 = 16, stride = c.m * width + 5
        let blocks = (col0 + c.n + width - 1) / width
        for tier in KernelTiers.all(self) {
            mb_force_tier(Int32(tier))
            var plain = [Float](repeating: .nan, count: c.m * c.n)
            mb_gemm_u8s8_panels(Int32(c.m), Int32(c.n), Int32(c.k), c.q, Int32(c.k), c.packed, c.sums, c.rowScales, c.wScale,
                                c.bias, 0, &plain, Int32(c.n))
            var blocked = [Float](repeating: .nan, count: blocks * stride)
            mb_gemm_u8s8_panels_blocked(Int32(c.m), Int32(c.n), Int32(c.k), c.q, Int32(c.k), c.packed, c.sums, c.rowScales,
                                        c.wScale, c.bias, &blocked, Int32(col0), Int32(width), stride)
            var expected = [Float](repeating: .nan, count: blocks * stride)
            for i in 0..<c.m {
                for j in 0..<c.n {
                    let column = col0 + j
                    expected[(column / width) * stride + i * width + column % width] = plain[i * c.n + j]
                }
            }
            XCTAssertEqual(blocked.map(\.bitPattern), expected.map(\.bitPattern), "tier \(tier)")
        }
    }

    /// The fused GeGLU epilogue against act(y[:, c]) * y[:, inner + c] in Double, for every
    /// activation on every tier, including a tile of 16 columns at the end (inner = 48).
    func testGatedEpilogueMatchesReference() {
        let c = epilogueCase(), inner = c.n / 2
        let kinds: [(Int32, (Double) -> Double)] = [
            (Int32(MB_ACT_GELU), { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) }),
            (Int32(MB_ACT_GELU_TANH), { 0.5 * $0 * (1 + tanh(0.7978845608028654 * ($0 + 0.044715 * $0 * $0 * $0))) }),
            (Int32(MB_ACT_SILU), { $0 / (1 + exp(-$0)) }),
            (Int32(MB_ACT_RELU), { max(0, $0) }),
        ]
        for tier in KernelTiers.all(self) {
            mb_force_tier(Int32(tier))
            for (kind, act) in kinds {
                var out = [Float](repeating: .nan, count: c.m * inner)
                mb_gemm_u8s8_panels_gated(Int32(c.m), Int32(inner), Int32(c.k), c.q, Int32(c.k), c.packed, c.sums,
                                          c.rowScales, c.wScale, c.bias, Int32(inner), kind, &out, Int32(inner))
                for i in 0..<c.m {
                    for j in 0..<inner {
                        let (input, gate) = (c.y[i * c.n + j], c.y[i * c.n + inner + j])
                        let exact = act(input) * gate
                        XCTAssertEqual(Double(out[i * inner + j]), exact, accuracy: 1e-5 * max(1, abs(input)) * max(1, abs(gate)),
                                       "tier \(tier) kind \(kind) row \(i) column \(j)")
                    }
                }
            }
        }
    }

    func testHalfWideningMatchesSwift() {
        let values: [Float] = [0, -0.0, 1, -2.5, 65504, 6.1e-5, 5.96e-8, 1e-7, .infinity, 0.333]
        let halves = values.map { Float16($0).bitPattern } + (0..<37).map { UInt16($0 * 1700) }
        for tier in KernelTiers.all(self) {
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
