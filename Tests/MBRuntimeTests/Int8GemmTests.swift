import MBRuntime
import XCTest

/// The int8 GEMM must equal the scalar definition exactly (integer arithmetic has no tolerance).
final class Int8GemmTests: XCTestCase {
    func testMatchesScalarReferenceExactly() {
        var rng = SystemRandomNumberGenerator()
        let shapes = [(1, 1, 1), (3, 5, 7), (4, 4, 16), (5, 9, 33), (9, 70, 100), (17, 130, 384), (64, 64, 1152), (2, 300, 17)]
        for (m, n, k) in shapes {
            let a = (0..<(m * k)).map { _ in Int8.random(in: -127...127, using: &rng) }
            let b = (0..<(n * k)).map { _ in Int8.random(in: -127...127, using: &rng) }
            var fast = [Int32](repeating: -1, count: m * n), slow = fast
            Int8Gemm.abT(m: m, n: n, k: k, a: a, b: b, c: &fast, ldc: n)
            Int8Gemm.reference(m: m, n: n, k: k, a: a, b: b, c: &slow, ldc: n)
            XCTAssertEqual(fast, slow, "shape \(m)x\(n)x\(k)")
        }
    }

    func testExtremeValuesDoNotOverflow() {
        let k = 1152, m = 4, n = 4
        let a = [Int8](repeating: -127, count: m * k), b = [Int8](repeating: -127, count: n * k)
        var c = [Int32](repeating: 0, count: m * n)
        Int8Gemm.abT(m: m, n: n, k: k, a: a, b: b, c: &c, ldc: n)
        XCTAssertEqual(c, [Int32](repeating: Int32(127 * 127 * k), count: m * n))
    }

    func testActivationQuantizationRoundTrips() {
        let x: [Float] = [0.5, -1.0, 0.25, 0, 0, 0, 0, 0, 3, -3, 1.5, 0.1]
        var q = [Int8](repeating: 0, count: 12), scales = [Float](repeating: -1, count: 3)
        ActivationQuantizer.quantizeRows(x, rows: 3, cols: 4, into: &q, scales: &scales)
        XCTAssertEqual(scales[1], 0)
        XCTAssertEqual(Array(q[4..<8]), [0, 0, 0, 0])
        XCTAssertEqual(q[1], -127)
        XCTAssertEqual(q[8], 127)
        for i in 0..<12 { XCTAssertEqual(Float(q[i]) * scales[i / 4], x[i], accuracy: scales[i / 4] / 2 + 1e-7) }
    }
}
