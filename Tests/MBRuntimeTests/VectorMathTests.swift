import Foundation
@testable import MBRuntime
import XCTest

/// The vectorised exp/erf/tanh stay within a few float ulps of libm over the ranges the model uses.
final class VectorMathTests: XCTestCase {
    private func sweep(_ range: ClosedRange<Float>, steps: Int) -> [Float] {
        (0...steps).map { range.lowerBound + (range.upperBound - range.lowerBound) * Float($0) / Float(steps) }
    }

    private func worst(_ xs: [Float], _ vector: (Float16x) -> Float16x, _ scalar: (Double) -> Double, relative: Bool) -> Double {
        var worst = 0.0
        for chunk in stride(from: 0, to: xs.count - 15, by: 16) {
            let v = vector(Float16x(xs[chunk..<(chunk + 16)]))
            for j in 0..<16 {
                let exact = scalar(Double(xs[chunk + j]))
                let err = abs(Double(v[j]) - exact) / (relative ? max(abs(exact), 1e-30) : 1)
                worst = max(worst, err)
            }
        }
        return worst
    }

    func testExp() {
        let err = worst(sweep(-87...88, steps: 200_000), VectorMath.exp, Foundation.exp, relative: true)
        XCTAssertLessThan(err, 3e-7, "exp relative error \(err)")
        XCTAssertEqual(VectorMath.exp(Float16x(repeating: -200))[0], 0, accuracy: 1e-37)
    }

    func testErf() {
        let err = worst(sweep(-8...8, steps: 200_000), VectorMath.erf, Foundation.erf, relative: false)
        XCTAssertLessThan(err, 6e-7, "erf absolute error \(err)")
    }

    func testTanh() {
        let err = worst(sweep(-20...20, steps: 200_000), VectorMath.tanh, Foundation.tanh, relative: false)
        XCTAssertLessThan(err, 3e-7, "tanh absolute error \(err)")
    }
}
