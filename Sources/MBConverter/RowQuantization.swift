/// Symmetric per-row int8 quantization of a weight matrix (format quantization code 1).
///
/// Each row r gets scale = max|w[r, :]| / 127 and q = round(w / scale) in [-127, 127]: for a
/// linear weight [out, in] that is per-output-channel quantization, which keeps a row with large
/// weights from costing precision in every other row. -128 is never used so the range is symmetric.
public enum RowQuantization {
    public static func quantize(_ values: [Float], rows: Int, cols: Int) -> (values: [Int8], scales: [Float]) {
        precondition(values.count == rows * cols, "quantize: \(values.count) values for [\(rows), \(cols)]")
        var q = [Int8](repeating: 0, count: values.count)
        var scales = [Float](repeating: 0, count: rows)
        values.withUnsafeBufferPointer { src in
            q.withUnsafeMutableBufferPointer { dst in
                for r in 0..<rows {
                    let row = src.baseAddress! + r * cols, out = dst.baseAddress! + r * cols
                    var peak: Float = 0
                    for c in 0..<cols { peak = max(peak, abs(row[c])) }
                    let scale = peak / 127
                    scales[r] = scale
                    let inv: Float = scale > 0 ? 1 / scale : 0
                    for c in 0..<cols { out[c] = Int8(max(-127, min(127, (row[c] * inv).rounded()))) }
                }
            }
        }
        return (q, scales)
    }

    /// What the runtime computes from the stored values (for measuring the rounding error).
    public static func dequantize(_ q: [Int8], scales: [Float], cols: Int) -> [Float] {
        q.enumerated().map { Float($0.element) * scales[$0.offset / cols] }
    }

    /// Values rounded through fp16, as fp16 storage would give them back.
    public static func roundedToF16(_ values: [Float]) -> [Float] {
        values.map { Float(Float16($0)) }
    }
}
