import CKernels

/// LayerNorm parameters (weight and optional bias), copied out of the file: they are tiny.
/// The arithmetic is the C kernel `mb_layer_norm` (layer_norm.c).
struct Norm: Sendable {
    let weight: [Float]
    let bias: [Float]?
    let eps: Float

    /// Runs `body(weight, bias)` with the parameters' addresses.
    private func withParameters<T>(_ body: (UnsafePointer<Float>, UnsafePointer<Float>?) -> T) -> T {
        weight.withUnsafeBufferPointer { w in
            (bias ?? []).withUnsafeBufferPointer { b in body(w.baseAddress!, bias == nil ? nil : b.baseAddress) }
        }
    }

    /// y = LayerNorm(x) for `rows` rows; `y` may be `x`.
    func callAsFunction(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        let cols = weight.count
        withParameters { w, b in
            ParallelLoop.ranges(rows) { range in
                let offset = range.lowerBound * cols
                mb_layer_norm(x + offset, Int32(range.count), Int32(cols), w, b, eps, y + offset)
            }
        }
    }

    /// Normalises rows for `consumer`. A W8A8 panel layer gets them quantized straight from each
    /// normalised row, so the fp32 row only ever sits in L1 (one pass over memory instead of
    /// three); any other layer (or a smoothed one, whose factors the quantizer applies) gets fp32 rows
    /// written to `floats`.
    func callAsFunction(_ x: UnsafePointer<Float>, rows: Int, for consumer: Linear, floats: UnsafeMutablePointer<Float>,
                        quantized: QuantizedRows) -> LinearInput {
        guard consumer.takesQuantizedInput, !consumer.smoothsInput else {
            self(x, rows: rows, into: floats)
            return .float(floats)
        }
        let cols = weight.count
        withParameters { w, b in
            ParallelLoop.ranges(rows) { range in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: cols) { row in
                    let r = range.lowerBound
                    mb_layer_norm_quantize_u8(x + r * cols, Int32(range.count), Int32(cols), w, b, eps, row.baseAddress!,
                                              quantized.values + r * cols, Int32(cols), quantized.scales + r)
                }
            }
        }
        return .quantized(quantized)
    }
}
