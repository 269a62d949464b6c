import CKernels
import Foundation
import XCTest

/// The activation kernels (GELU with erf, the tanh form, quick GELU, ReLU, SiLU, and GeGLU) stay
/// within a few float ulps of a double-precision reference on every CPU tier, including the
/// ranges where their exp/erf/tanh approximations switch formula and where exp saturates.
final class ActivationKernelTests: XCTestCase {
    override func tearDown() { mb_force_tier(-1) }

    private static let references: [(kind: Int32, name: String, f: (Double) -> Double)] = [
        (Int32(MB_ACT_GELU), "gelu", { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }),
        (Int32(MB_ACT_GELU_TANH), "gelu_tanh", { x in
            let inner: Double = 0.7978845608028654 * (x + 0.044715 * x * x * x)
            return 0.5 * x * (1 + Foundation.tanh(inner))
        }),
        (Int32(MB_ACT_QUICK_GELU), "quick_gelu", { $0 / (1 + Foundation.exp(-1.702 * $0)) }),
        (Int32(MB_ACT_RELU), "relu", { max($0, 0) }),
        (Int32(MB_ACT_SILU), "silu", { $0 / (1 + Foundation.exp(-$0)) }),
    ]

    /// Inputs from -30 to 30, dense near 0 (where the erf and tanh series take over), plus extremes.
    private let inputs: [Float] = {
        let wide: [Float] = (0...60_000).map { Float($0 - 30_000) / 1000 }
        let nearZero: [Float] = (0...2_000).map { Float($0 - 1_000) * 1e-4 }
        let extremes: [Float] = [-200, -88, 88, 200, 0, -0.0]
        return wide + nearZero + extremes
    }()

    func testActivationsMatchReference() {
        for tier in KernelTiers.all(self) {
            mb_force_tier(Int32(tier))
            for (kind, name, f) in Self.references {
                var y = inputs
                mb_activate(&y, y.count, kind)
                var worst = 0.0
                for (x, v) in zip(inputs, y) {
                    let exact = f(Double(x))
                    // erf's 6e-7 absolute error scaled by |x| / 2, plus float rounding of the result.
                    worst = max(worst, abs(Double(v) - exact) / (4e-7 * max(1, abs(Double(x))) + 2e-7 * abs(exact)))
                }
                XCTAssertLessThan(worst, 1, "\(name) tier \(tier): worst error \(worst) of the allowance")
            }
        }
    }

    func testGatedActivationMatchesReference() {
        for tier in KernelTiers.all(self) {
            mb_force_tier(Int32(tier))
            for (rows, inner) in [(1, 1), (3, 17), (2, 1152), (5, 40)] {
                let wi: [Float] = (0..<(rows * 2 * inner)).map { Float(sin(Double($0) * 0.37) * 6) }
                var out = [Float](repeating: .nan, count: rows * inner)
                mb_gated_activation(wi, Int32(rows), Int32(inner), Int32(MB_ACT_GELU), &out)
                for r in 0..<rows {
                    for c in 0..<inner {
                        let x = Double(wi[r * 2 * inner + c]), gate = Double(wi[r * 2 * inner + inner + c])
                        let exact = 0.5 * x * (1 + Foundation.erf(x / 2.0.squareRoot())) * gate
                        XCTAssertEqual(Double(out[r * inner + c]), exact, accuracy: 4e-7 * max(1, abs(x)) * abs(gate) + 2e-7 * abs(exact),
                                       "tier \(tier) rows \(rows) inner \(inner) [\(r), \(c)]")
                    }
                }
            }
        }
    }
}
