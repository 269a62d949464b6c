import Foundation
import MBFormat

/// Row-wise and element-wise kernels: layer norm, activations, residual adds, in 16-lane SIMD.
///
/// Tails shorter than 16 go through the same vector code on a zero-padded copy, so every element
/// gets the same arithmetic whatever its position (results never depend on alignment or width).
enum Elementwise {
    /// Applies `body` to `count` floats of `x` 16 at a time, writing into `y` (which may be `x`).
    @inline(__always)
    static func map(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
                    _ body: (Float16x, Int) -> Float16x) {
        var i = 0
        while i + 16 <= count {
            VectorMath.store(body(VectorMath.load(x + i), i), y + i)
            i += 16
        }
        if i < count {
            var tail = Float16x()
            for j in 0..<(count - i) { tail[j] = x[i + j] }
            let out = body(tail, i)
            for j in 0..<(count - i) { y[i + j] = out[j] }
        }
    }

    /// Loads 16 floats starting at `offset` of a row of `count`, zero past the end.
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ offset: Int, count: Int) -> Float16x {
        if offset + 16 <= count { return VectorMath.load(p + offset) }
        var v = Float16x()
        for j in 0..<(count - offset) { v[j] = p[offset + j] }
        return v
    }

    /// y = (x - mean) / sqrt(var + eps) * weight (+ bias), per row of `cols` values.
    ///
    /// Two passes (mean, then squared deviations) keep the variance accurate in Float.
    static func layerNorm(_ x: UnsafePointer<Float>, rows: Int, cols: Int, weight: UnsafePointer<Float>,
                          bias: UnsafePointer<Float>?, eps: Float, into y: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let row = x + r * cols, out = y + r * cols
            var sum = Float16x()
            var i = 0
            while i < cols { sum += load(row, i, count: cols); i += 16 }
            let mean = sum.sum() / Float(cols)
            var squares = Float16x()
            i = 0
            while i + 16 <= cols { let d = VectorMath.load(row + i) - mean; squares += d * d; i += 16 }
            while i < cols { let d = row[i] - mean; squares[0] += d * d; i += 1 }
            let inv = 1 / (squares.sum() / Float(cols) + eps).squareRoot()
            if let bias {
                map(row, out, count: cols) { v, j in (v - mean) * inv * load(weight, j, count: cols) + load(bias, j, count: cols) }
            } else {
                map(row, out, count: cols) { v, j in (v - mean) * inv * load(weight, j, count: cols) }
            }
        }
    }

    @inline(__always)
    static func activate(_ x: Float16x, _ kind: Activation) -> Float16x {
        switch kind {
        case .gelu: return 0.5 * x * (1 + VectorMath.erf(x * 0.70710678118654752))
        case .geluTanh, .geluNew, .geluFast:
            return 0.5 * x * (1 + VectorMath.tanh(0.79788456080286536 * (x + 0.044715 * x * x * x)))
        case .quickGelu: return x / (1 + VectorMath.exp(-1.702 * x))
        case .relu: return x.replacing(with: 0, where: x .< 0)
        case .silu, .swish: return x / (1 + VectorMath.exp(-x))
        }
    }

    static func activateInPlace(_ x: UnsafeMutablePointer<Float>, count: Int, _ kind: Activation) {
        map(x, x, count: count) { v, _ in activate(v, kind) }
    }

    /// GeGLU: out[r, c] = act(wi[r, c]) * wi[r, inner + c], where wi rows are [input | gate].
    static func gatedActivation(_ wi: UnsafePointer<Float>, rows: Int, inner: Int, _ kind: Activation,
                                into out: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let input = wi + r * 2 * inner, gate = input + inner
            map(input, out + r * inner, count: inner) { v, j in activate(v, kind) * load(gate, j, count: inner) }
        }
    }

    static func addBias(_ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int, bias: UnsafePointer<Float>) {
        for r in 0..<rows {
            map(y + r * cols, y + r * cols, count: cols) { v, j in v + load(bias, j, count: cols) }
        }
    }

    static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        map(y, y, count: count) { v, j in v + load(x, j, count: count) }
    }
}
