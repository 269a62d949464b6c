import CKernels

/// Per-token symmetric int8 quantization of activations, for W8A8 linear layers.
///
/// Each row (one token) gets its own scale absmax / 127, so a token with a large outlier does not
/// crush the resolution of every other token in the batch. This is the row-major (signed) view of
/// the one quantizer the VNNI path uses, `mb_quantize_rows_u8` (round to nearest, ties to even,
/// identical on every CPU tier), so a W8A8 model rounds the same way whatever its matrix layouts.
public enum ActivationQuantizer {
    /// Writes `rows x cols` int8 values into `q` and one scale per row into `scales`.
    /// An all-zero row gets scale 0 (and zeros), which dequantizes exactly.
    public static func quantizeRows(_ x: UnsafePointer<Float>, rows: Int, cols: Int,
                                    into q: UnsafeMutablePointer<Int8>, scales: UnsafeMutablePointer<Float>) {
        let unsigned = UnsafeMutableRawPointer(q).assumingMemoryBound(to: UInt8.self)
        mb_quantize_rows_u8(x, Int32(rows), Int32(cols), Int32(cols), unsigned, Int32(cols), scales)
        // u8 = q + 128 with q in [-127, 127]: flipping the top bit gives back the signed value.
        for i in 0..<(rows * cols) { unsigned[i] ^= 0x80 }
    }
}
