/// Per-token symmetric int8 quantization of activations, for W8A8 linear layers.
///
/// Each row (one token) gets its own scale absmax / 127, so a token with a large outlier does not
/// crush the resolution of every other token in the batch. Rounding is to nearest, ties away
/// from zero (`Float.rounded()`), the same rule the weight quantizer uses.
public enum ActivationQuantizer {
    /// Writes `rows x cols` int8 values into `q` and one scale per row into `scales`.
    /// An all-zero row gets scale 0 (and zeros), which dequantizes exactly.
    public static func quantizeRows(_ x: UnsafePointer<Float>, rows: Int, cols: Int,
                                    into q: UnsafeMutablePointer<Int8>, scales: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let row = x + r * cols, out = q + r * cols
            var peak: Float = 0
            for c in 0..<cols { peak = max(peak, abs(row[c])) }
            let scale = peak / 127
            scales[r] = scale
            let inv: Float = scale > 0 ? 1 / scale : 0
            for c in 0..<cols {
                out[c] = Int8(max(-127, min(127, (row[c] * inv).rounded())))
            }
        }
    }
}
