import CKernels

/// Activations in the form the W8A8 kernels read: per-row symmetric int8 stored as u8 = q + 128,
/// and one scale per row (`mb_quantize_rows_u8`). The pointers are borrowed, not owned.
struct QuantizedRows {
    /// [rows, cols] bytes.
    let values: UnsafeMutablePointer<UInt8>
    /// [rows] scales: row i holds values * scales[i] - 128 * scales[i].
    let scales: UnsafeMutablePointer<Float>
    let cols: Int

    /// Quantizes `rows` rows of `cols` floats into `self`, rows split across threads.
    func quantize(_ x: UnsafePointer<Float>, rows: Int) {
        ParallelLoop.ranges(rows) { r in
            quantize(x + r.lowerBound * cols, row: r.lowerBound, count: r.count)
        }
    }

    /// Quantizes `count` contiguous rows starting at `x` into rows [row, row + count) on this thread.
    func quantize(_ x: UnsafePointer<Float>, row: Int, count: Int) {
        let c = Int32(cols)
        mb_quantize_rows_u8(x, Int32(count), c, c, values + row * cols, c, scales + row)
    }

    /// Runs `body` with a temporary buffer for `rows` quantized rows of `cols` values.
    static func withBuffer<T>(rows: Int, cols: Int, _ body: (QuantizedRows) -> T) -> T {
        let values = UnsafeMutablePointer<UInt8>.allocate(capacity: rows * cols)
        let scales = UnsafeMutablePointer<Float>.allocate(capacity: rows)
        defer { values.deallocate(); scales.deallocate() }
        return body(QuantizedRows(values: values, scales: scales, cols: cols))
    }
}
