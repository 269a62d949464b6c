import CKernels
import XCTest

/// The layer norm kernel against a double-precision reference on every CPU tier, for widths that
/// are and are not multiples of 16 and 32, with and without bias, rows with a large common offset
/// (where a one-pass variance would cancel), and in place; the quantizing form gives exactly the
/// bytes and scales of mb_quantize_rows_u8 applied to the normalised rows.
final class LayerNormKernelTests: XCTestCase {
    override func tearDown() { mb_force_tier(-1) }

    private func rows(_ rows: Int, _ cols: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<(rows * cols)).map { i in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let noise = Float(Int(state >> 40) % 2001 - 1000) / 250
            return noise + (i / cols == 1 ? 1000 : 0)  // row 1 sits on a large offset
        }
    }

    private func reference(_ x: [Float], rows: Int, cols: Int, weight: [Float], bias: [Float]?, eps: Float) -> [Double] {
        var y: [Double] = []
        for r in 0..<rows {
            let row = x[(r * cols)..<((r + 1) * cols)].map(Double.init)
            let mean = row.reduce(0, +) / Double(cols)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(cols)
            for c in 0..<cols {
                y.append((row[c] - mean) / (variance + Double(eps)).squareRoot() * Double(weight[c]) + Double(bias?[c] ?? 0))
            }
        }
        return y
    }

    func testLayerNormMatchesReferenceOnEveryTier() {
        for cols in [7, 16, 48, 50, 768] {
            let count = 3
            let x = rows(count, cols, seed: UInt64(cols))
            let weight = (0..<cols).map { 0.5 + Float($0 % 7) / 4 }
            let bias = (0..<cols).map { Float($0 % 5) / 3 - 0.6 }
            for b in [bias, nil] {
                let expected = reference(x, rows: count, cols: cols, weight: weight, bias: b, eps: 1e-5)
                for tier in KernelTiers.all(self) {
                    mb_force_tier(Int32(tier))
                    var y = [Float](repeating: .nan, count: x.count)
                    var inPlace = x
                    mb_layer_norm(x, Int32(count), Int32(cols), weight, b, 1e-5, &y)
                    inPlace.withUnsafeMutableBufferPointer {
                        mb_layer_norm($0.baseAddress!, Int32(count), Int32(cols), weight, b, 1e-5, $0.baseAddress!)
                    }
                    XCTAssertEqual(inPlace, y, "in place, tier \(tier) cols \(cols)")
                    for (i, (got, exact)) in zip(y, expected).enumerated() {
                        // Row 1's fp32 mean of values near 1000 is off by ~1e-4 of its spread (torch
                        // has the same limit); a one-pass variance would be off by ~1%.
                        let tolerance = i / cols == 1 ? 3e-4 : 2e-5
                        XCTAssertEqual(Double(got), exact, accuracy: tolerance * max(1, abs(exact)),
                                       "tier \(tier) cols \(cols) bias \(b != nil)")
                    }

                    var q = [UInt8](repeating: 0, count: x.count), scales = [Float](repeating: -1, count: count)
                    var row = [Float](repeating: 0, count: cols)
                    mb_layer_norm_quantize_u8(x, Int32(count), Int32(cols), weight, b, 1e-5, &row, &q, Int32(cols), &scales)
                    var q2 = [UInt8](repeating: 0, count: x.count), scales2 = [Float](repeating: -1, count: count)
                    mb_quantize_rows_u8(y, Int32(count), Int32(cols), Int32(cols), &q2, Int32(cols), &scales2)
                    XCTAssertEqual(q, q2, "quantized bytes, tier \(tier) cols \(cols)")
                    XCTAssertEqual(scales, scales2, "quantized scales, tier \(tier) cols \(cols)")
                }
            }
        }
    }
}
