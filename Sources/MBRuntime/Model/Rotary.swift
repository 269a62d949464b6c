import Foundation

/// Rotary position embedding tables for one theta, in transformers' "rotate half" layout.
///
/// Angles are computed in Float exactly as transformers does (inv_freq in fp32, position * inv_freq
/// in fp32), because at positions in the thousands the fp32 rounding of the angle is larger than
/// the tolerance we promise.
struct Rotary: Sendable {
    let halfDim: Int
    private let invFreq: [Float]

    init(headDim: Int, theta: Double) {
        halfDim = headDim / 2
        let base = Float(theta)
        invFreq = (0..<halfDim).map { i in 1 / powf(base, Float(2 * i) / Float(headDim)) }
    }

    /// cos and sin for positions [0, length): `length * halfDim` each.
    func table(length: Int) -> (cos: [Float], sin: [Float]) {
        var c = [Float](repeating: 0, count: length * halfDim), s = c
        for p in 0..<length {
            for i in 0..<halfDim {
                let angle = Float(p) * invFreq[i]
                c[p * halfDim + i] = cosf(angle)
                s[p * halfDim + i] = sinf(angle)
            }
        }
        return (c, s)
    }

    /// Rotates one head vector in place: x1' = x1 cos - x2 sin, x2' = x2 cos + x1 sin.
    @inline(__always)
    static func apply(_ x: UnsafeMutablePointer<Float>, halfDim: Int, cos: UnsafePointer<Float>, sin: UnsafePointer<Float>) {
        let x2 = x + halfDim
        var i = 0
        // 16 lanes at a time (the compiler did not vectorise the scalar loop: it cannot rule out
        // that x overlaps the tables); the same multiply and subtract per element as the tail.
        while i + 16 <= halfDim {
            let a = Elementwise.vector(x + i), b = Elementwise.vector(x2 + i)
            let c = Elementwise.vector(cos + i), s = Elementwise.vector(sin + i)
            Elementwise.store(a * c - b * s, x + i)
            Elementwise.store(b * c + a * s, x2 + i)
            i += 16
        }
        while i < halfDim {
            let a = x[i], b = x2[i]
            x[i] = a * cos[i] - b * sin[i]
            x2[i] = b * cos[i] + a * sin[i]
            i += 1
        }
    }
}
