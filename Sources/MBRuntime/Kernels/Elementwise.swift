import CKernels
import MBFormat

typealias Float16x = SIMD16<Float>

/// Row-wise and element-wise kernels: layer norm and residual adds in 16-lane Swift SIMD; the
/// activations call the C kernels (activation.c says why).
///
/// Tails shorter than 16 go through the same vector code on a zero-padded copy, so every element
/// gets the same arithmetic whatever its position (results never depend on alignment or width).
///
/// Loops are written out rather than passed as closures to a shared helper: the compiler keeps such
/// closures out of line, and a SIMD16 value crossing a call travels as four 128-bit registers,
/// which made these kernels several times slower. The helpers are `@_transparent` for the same
/// reason (`@inline(__always)` is only a hint to this compiler).
enum Elementwise {
    @_transparent
    static func vector(_ p: UnsafePointer<Float>) -> Float16x { UnsafeRawPointer(p).loadUnaligned(as: Float16x.self) }

    @_transparent
    static func store(_ v: Float16x, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Float16x.self) }

    /// Loads 16 floats starting at `offset` of a row of `count`, zero past the end.
    @_transparent
    static func load(_ p: UnsafePointer<Float>, _ offset: Int, count: Int) -> Float16x {
        if offset + 16 <= count { return vector(p + offset) }
        var v = Float16x()
        for j in 0..<(count - offset) { v[j] = p[offset + j] }
        return v
    }

    /// Stores the lanes of `v` that fall inside a row of `count` values, starting at `offset`.
    @_transparent
    static func store(_ v: Float16x, _ p: UnsafeMutablePointer<Float>, _ offset: Int, count: Int) {
        if offset + 16 <= count { store(v, p + offset); return }
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
            while i + 16 <= cols { let d = vector(row + i) - mean; squares += d * d; i += 16 }
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

    /// x = act(x) for `count` values (activation.c).
    static func activateInPlace(_ x: UnsafeMutablePointer<Float>, count: Int, _ kind: Activation) {
        mb_activate(x, count, kind.kernelKind)
    }

    /// GeGLU: out[r, c] = act(wi[r, c]) * wi[r, inner + c], where wi rows are [input | gate] (activation.c).
    static func gatedActivation(_ wi: UnsafePointer<Float>, rows: Int, inner: Int, _ kind: Activation,
                                into out: UnsafeMutablePointer<Float>) {
        mb_gated_activation(wi, Int32(rows), Int32(inner), kind.kernelKind, out)
    }

    static func addBias(_ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int, bias: UnsafePointer<Float>) {
        for r in 0..<rows { add(bias, into: y + r * cols, count: cols) }
    }

    static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count { store(vector(y + i) + vector(x + i), y + i); i += 16 }
        while i < count { y[i] += x[i]; i += 1 }
    }
}

extension Activation {
    /// The activation's code in the C kernels (MB_ACT_*).
    var kernelKind: Int32 {
        switch self {
        case .gelu: return Int32(MB_ACT_GELU)
        case .geluTanh, .geluNew, .geluFast: return Int32(MB_ACT_GELU_TANH)
        case .quickGelu: return Int32(MB_ACT_QUICK_GELU)
        case .relu: return Int32(MB_ACT_RELU)
        case .silu, .swish: return Int32(MB_ACT_SILU)
        }
    }
}
