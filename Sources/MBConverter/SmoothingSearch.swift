import MBRuntime

/// SmoothQuant-style outlier smoothing for W8A8, chosen per matrix by measurement.
///
/// A linear layer y = x W^T equals (x / s) (W diag(s))^T for any per-input-channel s > 0. With
/// s_j = max|x_j|^a / max|W[:, j]|^(1 - a), channels whose activations have outliers are divided down
/// before the per-token int8 quantization, and the weights' columns carry the factor instead (their
/// per-row quantization absorbs it). `a` trades activation error for weight error, so it is measured:
/// for each candidate (no smoothing, and a in `alphas`) the layer's W8A8 output on the calibration
/// activations is compared with its fp32 output by relative error ‖ŷ − y‖ / ‖y‖ (the validator's
/// per-layer metric), using exactly the runtime's rounding (weights symmetric per row; activations
/// symmetric per token, ties to even, [-127, 127]). The candidate with the smallest error wins.
public enum SmoothingSearch {
    public static let alphas: [Double] = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8]

    public struct Choice: Sendable {
        /// Nil: no smoothing measured better.
        public var alpha: Double?
        /// The per-input-channel s (nil without smoothing).
        public var scales: [Float]?
        public var errorPlain: Double
        public var errorChosen: Double
    }

    /// - Parameters:
    ///   - weight: the layer's fp32 weight [rows, cols].
    ///   - activations: calibration inputs, packed [*, cols].
    ///   - channelMax: max |x| per input channel over all calibration tokens.
    public static func choose(weight: [Float], rows: Int, cols: Int, activations: [Float], channelMax: [Float]) -> Choice {
        let m = activations.count / cols
        guard m > 0, rows > 0 else { return Choice(alpha: nil, scales: nil, errorPlain: 0, errorChosen: 0) }
        var reference = [Float](repeating: 0, count: m * rows)
        product(activations, weight, m: m, n: rows, k: cols, into: &reference)
        var weightMax = [Float](repeating: 0, count: cols)
        for r in 0..<rows { for c in 0..<cols { weightMax[c] = max(weightMax[c], abs(weight[r * cols + c])) } }

        let plain = error(weight: weight, rows: rows, cols: cols, activations: activations, scales: nil, reference: reference)
        var best = Choice(alpha: nil, scales: nil, errorPlain: plain, errorChosen: plain)
        for alpha in alphas {
            let s = scales(alpha: alpha, channelMax: channelMax, weightMax: weightMax)
            let e = error(weight: weight, rows: rows, cols: cols, activations: activations, scales: s, reference: reference)
            if e < best.errorChosen { best = Choice(alpha: alpha, scales: s, errorPlain: plain, errorChosen: e) }
        }
        return best
    }

    /// s_j = max|x_j|^a / max|W_j|^(1 - a), 1 for a channel that is zero on either side, kept in [1e-4, 1e4].
    public static func scales(alpha: Double, channelMax: [Float], weightMax: [Float]) -> [Float] {
        zip(channelMax, weightMax).map { x, w in
            guard x > 0, w > 0 else { return 1 }
            let s = Foundation.pow(Double(x), alpha) / Foundation.pow(Double(w), 1 - alpha)
            return Float(min(max(s, 1e-4), 1e4))
        }
    }

    /// Relative error of the W8A8 product (optionally smoothed by `scales`) against `reference`.
    static func error(weight: [Float], rows: Int, cols: Int, activations: [Float], scales: [Float]?, reference: [Float]) -> Double {
        let m = activations.count / cols
        var w = weight, x = activations
        if let scales {
            for r in 0..<rows { for c in 0..<cols { w[r * cols + c] *= scales[c] } }
            let inverse = scales.map { 1 / $0 }
            for r in 0..<m { for c in 0..<cols { x[r * cols + c] *= inverse[c] } }
        }
        let (q, s) = RowQuantization.quantize(w, rows: rows, cols: cols)
        let wq = RowQuantization.dequantize(q, scales: s, cols: cols)
        fakeQuantizeRows(&x, cols: cols)
        var y = [Float](repeating: 0, count: m * rows)
        product(x, wq, m: m, n: rows, k: cols, into: &y)
        var diff = 0.0, norm = 0.0
        for i in 0..<y.count {
            let d = Double(y[i]) - Double(reference[i])
            diff += d * d; norm += Double(reference[i]) * Double(reference[i])
        }
        return (diff / max(norm, 1e-300)).squareRoot()
    }

    /// What the runtime's per-token activation quantizer gives back: round(x / scale) * scale with
    /// scale = max|row| / 127, ties to even.
    static func fakeQuantizeRows(_ x: inout [Float], cols: Int) {
        for r in 0..<(x.count / cols) {
            var peak: Float = 0
            for c in 0..<cols { peak = max(peak, abs(x[r * cols + c])) }
            let scale = peak / 127, inv: Float = scale > 0 ? 1 / scale : 0
            for c in 0..<cols {
                let v = min(127, max(-127, (x[r * cols + c] * inv).rounded(.toNearestOrEven)))
                x[r * cols + c] = v * scale
            }
        }
    }

    private static func product(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, into c: inout [Float]) {
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { MatrixProduct.abT(m: m, n: n, k: k, a: ap.baseAddress!, b: bp.baseAddress!, c: $0.baseAddress!) }
            }
        }
    }
}

import Foundation
