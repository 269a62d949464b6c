import CKernels
import Foundation
import MBRuntime
import XCTest

/// `mb_quantize_rows_u8` against an independent reference written from its contract
/// (CKernels.h): scale = absmax / 127, q = clamp(round half to even(x / scale), -127, 127) + 128,
/// the division and the rounding done in Double, on every tier. Exact ties (x an odd multiple of
/// scale / 2) are built with power-of-two scales, where x / scale is exact in float and Double alike,
/// so a kernel that rounds them any other way (half up, half away from zero) fails.
final class ActivationQuantizationTests: XCTestCase {
    override func tearDown() { mb_force_tier(-1) }

    /// The contract in Double: the scale as a float (absmax / 127 in float, as the file stores it),
    /// each byte from the exact quotient.
    private func reference(_ row: ArraySlice<Float>) -> (scale: Float, q: [Double]) {
        let scale = row.map { abs($0) }.max()! / 127
        guard scale > 0 else { return (0, row.map { _ in 0 }) }
        return (scale, row.map { Double($0) / Double(scale) })
    }

    private func byte(_ quotient: Double) -> UInt8 {
        UInt8(min(max(quotient.rounded(.toNearestOrEven), -127), 127) + 128)
    }

    /// Quantizes `x` ([rows, cols] with row stride ldx) on one tier into a buffer of stride ldq whose
    /// padding must stay untouched; checks every byte against the reference. `exact`: every
    /// quotient is exact, so no byte may differ; otherwise a quotient within float rounding of a
    /// tie may go either way. Returns the number of ties checked exactly.
    @discardableResult
    private func check(_ x: [Float], rows: Int, cols: Int, ldx: Int, exact: Bool, label: String) -> Int {
        let ldq = cols + 3
        var ties = 0
        for tier in KernelTiers.all(self) {
            mb_force_tier(tier)
            var q = [UInt8](repeating: 0xA5, count: rows * ldq), scales = [Float](repeating: .nan, count: rows)
            mb_quantize_rows_u8(x, Int32(rows), Int32(cols), Int32(ldx), &q, Int32(ldq), &scales)
            var mismatches: [String] = []
            for r in 0..<rows {
                let (scale, quotients) = reference(x[(r * ldx)..<(r * ldx + cols)])
                XCTAssertEqual(scales[r].bitPattern, scale.bitPattern, "\(label) tier \(tier) row \(r): scale \(scales[r]) vs \(scale)")
                for (c, t) in quotients.enumerated() {
                    let got = q[r * ldq + c], want = byte(t)
                    if exact && t - t.rounded(.down) == 0.5 { ties += 1 }
                    if got == want { continue }
                    // Float x * (1 / scale) is within a few ulps of the exact quotient: near a tie it may land
                    // on the other side (only in the inexact cases; the exact ones have no excuse).
                    let nearTie = abs(abs(t - t.rounded(.down)) - 0.5) < 1e-4
                    if !exact && nearTie && abs(Int(got) - Int(want)) == 1 { continue }
                    if mismatches.count < 5 { mismatches.append("[\(r), \(c)] x \(x[r * ldx + c]) / \(scale) = \(t): \(got) vs \(want)") }
                }
                XCTAssertTrue(q[(r * ldq + cols)..<(r * ldq + ldq)].allSatisfy { $0 == 0xA5 }, "\(label) tier \(tier) row \(r) wrote past cols")
            }
            XCTAssertTrue(mismatches.isEmpty, "\(label) tier \(tier): \(mismatches.joined(separator: "; "))")
        }
        return ties
    }

    /// Every half-integer quotient from -126.5 to 126.5 (and the integers between), with scales 2^-7,
    /// 1 and 2^5: each row's absmax is exactly 127 x scale, so scale and 1 / scale are powers of two
    /// and every quotient is exact. Rows of 16, 17 and 33 (full vectors and tails), the absmax at a
    /// different column in each row.
    func testTiesRoundHalfToEven() {
        var ties = 0
        for power in [-7, 0, 5] {
            let scale = Float(sign: .plus, exponent: power, significand: 1)
            let values = (-254...254).map { Float($0) / 2 * scale }
            for cols in [16, 17, 33] {
                var x: [Float] = [], rows = 0, next = 0
                while next < values.count {
                    var row = [Float](repeating: 0, count: cols)
                    let peak = rows % cols
                    row[peak] = rows % 2 == 0 ? 127 * scale : -127 * scale
                    for c in 0..<cols where c != peak && next < values.count {
                        row[c] = values[next]
                        next += 1
                    }
                    x += row
                    rows += 1
                }
                ties += check(x, rows: rows, cols: cols, ldx: cols, exact: true, label: "ties 2^\(power) cols \(cols)")
            }
        }
        XCTAssertGreaterThanOrEqual(ties, 3 * 3 * 254, "every half-integer quotient checked exactly, on every tier")
    }

    /// Random rows of many magnitudes and widths (tails of 1 to 15 columns, a row stride wider than
    /// the row), a zero row (scale 0, every byte 128), and rows of one outlier among small values.
    func testRandomRowsMatchReference() {
        var generator = SplitMix64(seed: 0x51)
        func uniform() -> Float { Float(Double(generator.next() >> 11) / Double(1 << 53) * 2 - 1) }
        for cols in [1, 5, 15, 16, 17, 31, 32, 33, 100, 768] {
            let rows = 6, ldx = cols + 2
            var x = [Float](repeating: .nan, count: rows * ldx)   // the padding is never read
            for r in 0..<rows {
                let magnitude = Float(sign: .plus, exponent: Int(generator.next() % 40) - 20, significand: 1.3)
                for c in 0..<cols {
                    x[r * ldx + c] = r == 1 ? 0 : uniform() * magnitude
                }
                if r == 2 { x[r * ldx + Int(generator.next() % UInt64(cols))] = 1000 * magnitude }
            }
            check(x, rows: rows, cols: cols, ldx: ldx, exact: false, label: "random cols \(cols)")
        }
    }
}
