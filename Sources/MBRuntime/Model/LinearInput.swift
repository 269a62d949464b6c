/// The activations a `Linear` reads: fp32 rows, or rows already quantized for a W8A8 layer (by a
/// layer norm that quantizes each row while it is in L1, so the fp32 rows are never stored).
enum LinearInput {
    case float(UnsafePointer<Float>)
    case quantized(QuantizedRows)

    /// Runs `body` with the rows in W8A8 form, quantizing fp32 rows (times `factors`, a smoothed
    /// layer's column factors, when given) into a temporary buffer first.
    func withQuantizedRows<T>(rows: Int, cols: Int, factors: UnsafePointer<Float>? = nil, _ body: (QuantizedRows) -> T) -> T {
        switch self {
        case .quantized(let q):
            precondition(q.cols == cols, "quantized rows of \(q.cols) values for a layer of \(cols) inputs")
            precondition(factors == nil, "rows quantized without the column factors of a smoothed layer")
            return body(q)
        case .float(let x):
            return QuantizedRows.withBuffer(rows: rows, cols: cols) { q in
                q.quantize(x, rows: rows, factors: factors)
                return body(q)
            }
        }
    }

    /// The fp32 rows. Only W8A8 panel layers are ever given quantized rows (`Linear.takesQuantizedInput`).
    var floats: UnsafePointer<Float> {
        guard case .float(let x) = self else { preconditionFailure("quantized rows given to a layer that reads fp32") }
        return x
    }
}
