import CKernels

/// Activations in the form the W8A8 kernels read: per-row symmetric int8 stored as u8 = q + 128,
/// and one scale per row (`mb_quantize_rows_u8`). The pointers are borrowed, not owned.
struct QuantizedRows {
    /// [rows, cols] bytes.
    let values: UnsafeMutablePointer<UInt8>
    /// [rows] scales: row i holds values * scales[i] - 128 * scales[i].
    let scales: UnsafeMutablePointer<Float>
    let cols: Int

    /// The rows from `first` on, sharing this storage.
    func rows(from first: Int) -> QuantizedRows {
        QuantizedRows(values: values + first * cols, scales: scales + first, cols: cols)
    }

    /// Quantizes `rows` rows of `cols` floats into `self`, rows split across threads; with `factors`
    /// (a smoothed layer's column factors), the rows x[r][c] * factors[c].
    func quantize(_ x: UnsafePointer<Float>, rows: Int, factors: UnsafePointer<Float>? = nil) {
        let c = Int32(cols)
        ParallelLoop.ranges(rows) { r in
            let first = r.lowerBound
            if let factors {
                mb_quantize_rows_u8_smoothed(x + first * cols, Int32(r.count), c, c, factors, values + first * cols, c, scales + first)
            } else {
                mb_quantize_rows_u8(x + first * cols, Int32(r.count), c, c, values + first * cols, c, scales + first)
            }
        }
    }

    /// Runs `body` with a temporary buffer for `rows` quantized rows of `cols` values.
    static func withBuffer<T>(rows: Int, cols: Int, _ body: (QuantizedRows) -> T) -> T {
        let values = UnsafeMutablePointer<UInt8>.allocate(capacity: rows * cols)
        let scales = UnsafeMutablePointer<Float>.allocate(capacity: rows)
        defer { values.deallocate(); scales.deallocate() }
        return body(QuantizedRows(values: values, scales: scales, cols: cols))
    }
}
