import Foundation

/// Rotary position embedding tables for one theta, in transformers' "rotate half" layout. The
/// attention kernel applies them to q and k as it reads them (`mb_attention_rows`).
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
}
