import CKernels
import MBFormat

typealias Float16x = SIMD16<Float>

/// Element-wise kernels: residual and bias adds in 16-lane Swift SIMD; the activations call the C
/// kernels (activation.c says why).
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
