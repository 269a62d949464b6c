/// Vectorised transcendental functions for the element-wise kernels (softmax, GELU, SiLU).
///
/// libm's scalar expf/erff calls dominated the profile once the GEMMs were fast (softmax over
/// 2048-token rows, GeGLU over every MLP activation). These are the usual range-reduction +
/// polynomial forms; the tests hold their error below 3e-7 relative (exp), 6e-7 absolute (erf, measured 4.7e-7),
/// far inside the 1e-4 parity budget.
typealias Float16x = SIMD16<Float>

enum VectorMath {
    /// e^x for each lane (inputs below -87 give 0, above 88 give +inf-clamped 2^127 scale).
    @_transparent
    static func exp(_ x: Float16x) -> Float16x {
        // Only plain lane-wise operations here: the generic SIMD helpers (clamped, rounded,
        // Float -> Int32 init) are not specialised by the compiler and run element by element.
        let clamped = minimum(maximum(x, Float16x(repeating: -87.3)), Float16x(repeating: 88.3))
        // x = n ln2 + r, |r| <= ln2/2. Adding 1.5 * 2^23 rounds to the nearest integer (ties to
        // even) and leaves that integer in the low mantissa bits.
        let shifted = clamped * 1.442695040888963 + 12_582_912
        let n = shifted - 12_582_912
        var r = clamped - n * 0.693359375
        r = r - n * -2.12194440e-4
        // Horner steps as fused multiply-adds (addingProduct), which Swift does not form from a * b + c.
        var p: Float16x = Float16x(repeating: 1.9875691500e-4)
        p = Float16x(repeating: 1.3981999507e-3).addingProduct(p, r)
        p = Float16x(repeating: 8.3334519073e-3).addingProduct(p, r)
        p = Float16x(repeating: 4.1665795894e-2).addingProduct(p, r)
        p = Float16x(repeating: 1.6666665459e-1).addingProduct(p, r)
        p = Float16x(repeating: 5.0000001201e-1).addingProduct(p, r)
        p = (r + 1).addingProduct(p, r * r)
        let integer = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000
        return p * unsafeBitCast((integer &+ 127) &<< 23, to: Float16x.self)
    }

    /// erf(x) for each lane (Abramowitz & Stegun 7.1.26: |error| < 6e-7 including float rounding).
    @_transparent
    static func erf(_ x: Float16x) -> Float16x {
        let a = magnitude(x)
        // erf(a) = 1 - poly(t) e^{-a^2}, t = 1 / (1 + p a); coefficients from A&S 7.1.26.
        let t = 1 / (1 + 0.3275911 * a)
        var poly = Float16x(repeating: 1.061405429)
        poly = Float16x(repeating: -1.453152027).addingProduct(poly, t)
        poly = Float16x(repeating: 1.421413741).addingProduct(poly, t)
        poly = Float16x(repeating: -0.284496736).addingProduct(poly, t)
        poly = Float16x(repeating: 0.254829592).addingProduct(poly, t)
        let y = 1 - poly * t * exp(-(a * a))
        // A&S 7.1.26 loses relative accuracy near 0 (erf(x) ~ 2x/sqrt(pi)); use the series there.
        let small = a .< 0.05
        let series = a * (1.1283791670955126 - 0.3761263890318375 * a * a)
        let result = y.replacing(with: series, where: small)
        return result.replacing(with: -result, where: x .< 0)
    }

    @_transparent
    static func tanh(_ x: Float16x) -> Float16x {
        // tanh(x) = 1 - 2 / (e^{2x} + 1): exact at the extremes, accurate to float rounding elsewhere
        // except near 0, where the odd series takes over.
        let e = exp(2 * x)
        let t = 1 - 2 / (e + 1)
        let x2 = x * x
        let series = x * (1 - x2 * (0.33333333 - x2 * 0.13333333))
        return t.replacing(with: series, where: magnitude(x) .< 0.01)
    }

    /// Lane-wise max/min by compare and select (the stdlib's pointwiseMax/Min loop lane by lane).
    @_transparent
    static func maximum(_ a: Float16x, _ b: Float16x) -> Float16x { a.replacing(with: b, where: a .< b) }

    @_transparent
    static func minimum(_ a: Float16x, _ b: Float16x) -> Float16x { a.replacing(with: b, where: b .< a) }

    @_transparent
    static func magnitude(_ x: Float16x) -> Float16x {
        unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF, to: Float16x.self)
    }

    @_transparent
    static func load(_ p: UnsafePointer<Float>) -> Float16x {
        UnsafeRawPointer(p).loadUnaligned(as: Float16x.self)
    }

    @_transparent
    static func store(_ v: Float16x, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Float16x.self)
    }
}
