import Foundation
import MBFormat

/// Row-wise and element-wise kernels: layer norm, activations, residual adds.
enum Elementwise {
    /// y = (x - mean) / sqrt(var + eps) * weight (+ bias), per row of `cols` values.
    ///
    /// Statistics accumulate in Double: rows are short (hidden size) and this keeps the result
    /// within float rounding of PyTorch's, whatever its internal summation order.
    static func layerNorm(_ x: UnsafePointer<Float>, rows: Int, cols: Int, weight: UnsafePointer<Float>,
                          bias: UnsafePointer<Float>?, eps: Float, into y: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let row = x + r * cols, out = y + r * cols
            var sum = 0.0, sumSquares = 0.0
            for c in 0..<cols { let v = Double(row[c]); sum += v; sumSquares += v * v }
            let mean = sum / Double(cols)
            let variance = max(0, sumSquares / Double(cols) - mean * mean)
            let inv = Float(1 / (variance + Double(eps)).squareRoot())
            let m = Float(mean)
            if let bias {
                for c in 0..<cols { out[c] = (row[c] - m) * inv * weight[c] + bias[c] }
            } else {
                for c in 0..<cols { out[c] = (row[c] - m) * inv * weight[c] }
            }
        }
    }

    @inline(__always)
    static func activate(_ x: Float, _ kind: Activation) -> Float {
        switch kind {
        case .gelu: return 0.5 * x * (1 + erff(x * 0.70710678118654752))
        case .geluTanh, .geluNew, .geluFast:
            return 0.5 * x * (1 + tanhf(0.79788456080286536 * (x + 0.044715 * x * x * x)))
        case .quickGelu: return x / (1 + expf(-1.702 * x))
        case .relu: return max(0, x)
        case .silu, .swish: return x / (1 + expf(-x))
        }
    }

    static func activateInPlace(_ x: UnsafeMutablePointer<Float>, count: Int, _ kind: Activation) {
        for i in 0..<count { x[i] = activate(x[i], kind) }
    }

    /// GeGLU: out[r, c] = act(wi[r, c]) * wi[r, inner + c], where wi rows are [input | gate].
    static func gatedActivation(_ wi: UnsafePointer<Float>, rows: Int, inner: Int, _ kind: Activation,
                                into out: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let input = wi + r * 2 * inner, gate = input + inner, o = out + r * inner
            for c in 0..<inner { o[c] = activate(input[c], kind) * gate[c] }
        }
    }

    static func addBias(_ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int, bias: UnsafePointer<Float>) {
        for r in 0..<rows {
            let row = y + r * cols
            for c in 0..<cols { row[c] += bias[c] }
        }
    }

    static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] += x[i] }
    }
}
