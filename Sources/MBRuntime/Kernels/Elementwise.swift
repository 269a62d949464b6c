import Foundation
import MBFormat

/// Row-wise and element-wise kernels: layer norm, activations, residual adds, in 16-lane SIMD.
///
/// Tails shorter than 16 go through the same vector code on a zero-padded copy, so every element
/// gets the same arithmetic whatever its position (results never depend on alignment or width).
///
/// Loops are written out rather than passed as closures to a shared helper: the compiler keeps such
/// closures out of line, and a SIMD16 value crossing a call travels as four 128-bit registers,
/// which made these kernels several times slower. The vector math is `@_transparent` for the same
/// reason (`@inline(__always)` is only a hint to this compiler).
enum Elementwise {
    /// Loads 16 floats starting at `offset` of a row of `count`, zero past the end.
    @_transparent
    static func load(_ p: UnsafePointer<Float>, _ offset: Int, count: Int) -> Float16x {
        if offset + 16 <= count { return VectorMath.load(p + offset) }
        var v = Float16x()
        for j in 0..<(count - offset) { v[j] = p[offset + j] }
        return v
    }

    /// Stores the lanes of `v` that fall inside a row of `count` values, starting at `offset`.
    @_transparent
    static func store(_ v: Float16x, _ p: UnsafeMutablePointer<Float>, _ offset: Int, count: Int) {
        if offset + 16 <= count { VectorMath.store(v, p + offset); return }
        for j in 0..<(count - offset) { p[offset + j] = v[j] }
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
            i = 0
            while i < cols {
                var v = (load(row, i, count: cols) - mean) * inv * load(weight, i, count: cols)
                if let bias { v += load(bias, i, count: cols) }
                store(v, out, i, count: cols)
                i += 16
            }
        }
    }

    @_transparent
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
        var i = 0
        while i < count {
            let v = activate(load(x, i, count: count), kind)
            store(v, x, i, count: count)
            i += 16
        }
    }

    /// GeGLU: out[r, c] = act(wi[r, c]) * wi[r, inner + c], where wi rows are [input | gate].
    static func gatedActivation(_ wi: UnsafePointer<Float>, rows: Int, inner: Int, _ kind: Activation,
                                into out: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let input = wi + r * 2 * inner, gate = input + inner, o = out + r * inner
            var i = 0
            while i < inner {
                let v = activate(load(input, i, count: inner), kind) * load(gate, i, count: inner)
                store(v, o, i, count: inner)
                i += 16
            }
        }
    }

    static func addBias(_ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int, bias: UnsafePointer<Float>) {
        for r in 0..<rows { add(bias, into: y + r * cols, count: cols) }
    }

    static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count { VectorMath.store(VectorMath.load(y + i) + VectorMath.load(x + i), y + i); i += 16 }
        while i < count { y[i] += x[i]; i += 1 }
    }
}
