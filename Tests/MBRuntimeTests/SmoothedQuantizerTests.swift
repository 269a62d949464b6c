import CKernels
import XCTest

/// The smoothing activation quantizer (quantization code 2: rows times column factors, then per-row
/// int8) gives the same bytes and scales on every CPU tier, and exactly what the plain quantizer gives
/// for rows already multiplied by the factors (one IEEE multiply per value either way).
final class SmoothedQuantizerTests: XCTestCase {
    override func tearDown() { mb_force_tier(-1) }

    func testSmoothedQuantizationEqualsQuantizingScaledRowsOnEveryTier() {
        var state: UInt64 = 11
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(state >> 40) % 20001 - 10000) / 997
        }
        for cols in [16, 40, 256, 384, 771] {
            let rows = 5
            let x = (0..<(rows * cols)).map { i in next() * (i % cols == 3 ? 40 : 1) }  // one outlier channel
            let f = (0..<cols).map { c in c == 3 ? Float(1) / 37 : 0.25 + Float(c % 7) / 5 }
            let scaled = x.indices.map { x[$0] * f[$0 % cols] }
            var expected = [UInt8](repeating: 0, count: x.count), expectedScales = [Float](repeating: 0, count: rows)
            mb_force_tier(0)
            mb_quantize_rows_u8(scaled, Int32(rows), Int32(cols), Int32(cols), &expected, Int32(cols), &expectedScales)
            for tier in KernelTiers.all(self) {
                mb_force_tier(tier)
                var q = [UInt8](repeating: 0, count: x.count), scales = [Float](repeating: -1, count: rows)
                mb_quantize_rows_u8_smoothed(x, Int32(rows), Int32(cols), Int32(cols), f, &q, Int32(cols), &scales)
                XCTAssertEqual(q, expected, "bytes, tier \(tier), cols \(cols)")
                XCTAssertEqual(scales, expectedScales, "scales, tier \(tier), cols \(cols)")
            }
        }
    }
}
