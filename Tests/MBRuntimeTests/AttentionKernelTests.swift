import CKernels
import XCTest

/// The fused attention kernel matches a double-precision softmax(q k^T * scale) v on every CPU
/// tier: global and banded, sequence lengths and head widths that are not multiples of 16, query
/// blocks anywhere in the sequence, and rows whose band is cut by either end; with and without
/// rotary tables (q and k rotated as they are read, compared with a Double rotation). The bf16 kernel
/// (W8A8 models, on CPUs with AVX-512 BF16) matches the same reference computed from q, k, v
/// rounded to bf16, within the rounding of the softmax weights to bf16 (2^-9 relative), including
/// blocks long enough for its chunked (online softmax) path.
final class AttentionKernelTests: XCTestCase {
    override func tearDown() { mb_force_tier(-1) }

    private var seed: UInt64 = 11
    private func next() -> Float {
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        return Float(Double(seed >> 11) / Double(1 << 53) * 2 - 1)
    }

    private func reference(n: Int, hd: Int, qkv: [Float], stride: Int, row i: Int, halfWindow: Int) -> [Double] {
        let scale = 1 / Double(hd).squareRoot()
        let keys = halfWindow < 0 ? 0..<n : max(0, i - halfWindow)..<min(n, i + halfWindow + 1)
        let logits = keys.map { j in (0..<hd).reduce(0.0) { $0 + Double(qkv[i * stride + $1]) * Double(qkv[j * stride + hd + $1]) } * scale }
        let peak = logits.max()!
        let weights = logits.map { Foundation.exp($0 - peak) }
        let total = weights.reduce(0, +)
        return (0..<hd).map { d in
            zip(keys, weights).reduce(0.0) { $0 + $1.1 * Double(qkv[$1.0 * stride + 2 * hd + d]) } / total
        }
    }

    /// Round to nearest even bf16, back in a Float (inputs are finite).
    private func bf16(_ x: Float) -> Float {
        let bits = x.bitPattern
        return Float(bitPattern: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000)
    }

    /// Rotary tables for positions 0..<n (theta 10000), and `qkv` with q and k rotated by them in Double.
    private func rotary(n: Int, hd: Int, qkv: [Float], stride: Int) -> (cos: [Float], sin: [Float], rotated: [Float]) {
        let half = hd / 2
        let angles = (0..<(n * half)).map { Float($0 / half) / powf(10000, Float(2 * ($0 % half)) / Float(hd)) }
        let (cos, sin) = (angles.map { cosf($0) }, angles.map { sinf($0) })
        var rotated = qkv
        for t in 0..<n {
            for part in 0..<2 {  // q, then k
                let row = t * stride + part * hd
                for i in 0..<half {
                    let (a, b) = (Double(qkv[row + i]), Double(qkv[row + half + i]))
                    let (c, s) = (Double(cos[t * half + i]), Double(sin[t * half + i]))
                    rotated[row + i] = Float(a * c - b * s)
                    rotated[row + half + i] = Float(b * c + a * s)
                }
            }
        }
        return (cos, sin, rotated)
    }

    func testMatchesReferenceOnEveryTier() {
        let bf16Coverage = mb_attention_bf16_available() != 0 ? "bf16 attention covered (AVX-512 BF16)"
            : "bf16 attention NOT covered (the CPU lacks AVX-512 BF16)"
        // (tokens, head dim, half window (-1: global), query block)
        let cases = [(1, 16, -1, 0..<1), (37, 64, -1, 0..<37), (37, 64, 4, 0..<37), (130, 64, 64, 64..<128),
                     (130, 64, 64, 128..<130), (200, 40, 16, 13..<77), (50, 8, -1, 3..<9), (300, 96, 64, 0..<64),
                     // Blocks that see more than 512 keys: the bf16 kernel's chunks with an online softmax,
                     // an odd last chunk, and (banded) rows with no keys in a chunk.
                     (1037, 64, -1, 1000..<1030), (900, 64, 250, 300..<340), (700, 40, -1, 600..<640)]
        for (n, hd, window, block) in cases {
            // One head packed as [q | k | v] per token, with a wider row stride than 3 x hd as in the model.
            let stride = 3 * hd + 5
            let qkv = (0..<(n * stride)).map { _ in next() * 2 }
            let rope = rotary(n: n, hd: hd, qkv: qkv, stride: stride)
            for withRotary in [false, true] {
                let input = withRotary ? rope.rotated : qkv
                let expected = block.map { reference(n: n, hd: hd, qkv: input, stride: stride, row: $0, halfWindow: window) }
                let rounded = input.map(bf16)
                let expectedBF16 = block.map { reference(n: n, hd: hd, qkv: rounded, stride: stride, row: $0, halfWindow: window) }
                for tier in KernelTiers.all(self, note: bf16Coverage) {
                    for lowPrecision in [false, true] {
                        mb_force_tier(Int32(tier))
                        let usesBF16 = lowPrecision && hd % 32 == 0 && mb_attention_bf16_available() != 0
                        // |v| <= 2, so rounding each softmax weight by 2^-9 moves an output by at most 2^-8.
                        let (target, tolerance) = usesBF16 ? (expectedBF16, 1.0 / 256 + 1e-5) : (expected, 2e-6)
                        let ldo = hd + 3
                        var out = [Float](repeating: .nan, count: n * ldo)
                        let floats = mb_attention_scratch_floats(Int32(n), Int32(hd), Int32(block.count), Int32(window))
                        var scratch = [Float](repeating: .nan, count: floats)
                        qkv.withUnsafeBufferPointer { p in
                            rope.cos.withUnsafeBufferPointer { cos in
                                rope.sin.withUnsafeBufferPointer { sin in
                                    let base = p.baseAddress!
                                    mb_attention_rows(Int32(n), Int32(hd), base, base + hd, base + 2 * hd, Int32(stride),
                                                      Int32(block.lowerBound), Int32(block.upperBound), Int32(window),
                                                      1 / Float(hd).squareRoot(), withRotary ? cos.baseAddress : nil,
                                                      withRotary ? sin.baseAddress : nil, lowPrecision ? 1 : 0, &scratch,
                                                      &out, Int32(ldo))
                                }
                            }
                        }
                        let label = "tier \(tier) bf16 \(usesBF16) rotary \(withRotary) n \(n) hd \(hd) window \(window)"
                        // The worst element, so one assertion per run (hundreds of thousands of elements in all).
                        var worst = (error: 0.0, row: -1, dim: -1)
                        for (r, i) in block.enumerated() {
                            for d in 0..<hd {
                                let error = abs(Double(out[i * ldo + d]) - target[r][d])
                                if !(error <= worst.error) { worst = (error, i, d) }  // NaN counts as worst
                            }
                        }
                        XCTAssertLessThanOrEqual(worst.error, tolerance, "\(label) row \(worst.row) dim \(worst.dim)")
                        // Rows outside the block are not written.
                        for i in 0..<n where !block.contains(i) { XCTAssertTrue(out[i * ldo].isNaN, "\(label) wrote row \(i)") }
                    }
                }
            }
        }
    }
}
