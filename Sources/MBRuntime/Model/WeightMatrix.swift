import CKernels
import MBFormat

/// A weight matrix [rows, cols] as the file stores it, read without copying.
///
/// fp32 matrices feed OpenBLAS directly from the mapping; other storages are widened to fp32
/// a panel of rows at a time, so memory stays at the file size plus one small panel.
struct WeightMatrix: @unchecked Sendable {
    enum Storage {
        case f32(UnsafePointer<Float>)
        case f16(UnsafePointer<UInt16>)
        case bf16(UnsafePointer<UInt16>)
        case int8(UnsafePointer<Int8>, scales: UnsafePointer<Float>)
        /// int8 in the VNNI panel order (`PanelLayout`), used in place by the W8A8 kernels.
        case int8Panels(UnsafePointer<Int8>, scales: UnsafePointer<Float>)
    }

    let storage: Storage
    let rows: Int
    let cols: Int
    /// Column factors f of a smoothed int8 matrix (quantization 2): the matrix is q * scale[r] * f[c],
    /// so a product multiplies its activations by f before using q. Nil for every other storage.
    let columnFactors: UnsafePointer<Float>?

    init(storage: Storage, rows: Int, cols: Int, columnFactors: UnsafePointer<Float>? = nil) {
        self.storage = storage; self.rows = rows; self.cols = cols; self.columnFactors = columnFactors
    }

    init(file: ModelFile, record r: TensorRecord) throws {
        guard r.shape.count == 2 else {
            throw ModelError.wrongShape(path: file.url.path, tensor: r.name, expected: [-1, -1], actual: r.shape)
        }
        rows = r.shape[0]; cols = r.shape[1]
        let base = file.bytes(of: r).baseAddress!
        columnFactors = r.quantization == .int8PerRowSmoothed ? file.scales(of: r).baseAddress! + rows : nil
        switch (r.dtype, r.quantization) {
        case (.f32, .none): storage = .f32(base.assumingMemoryBound(to: Float.self))
        case (.f16, .none): storage = .f16(base.assumingMemoryBound(to: UInt16.self))
        case (.bf16, .none): storage = .bf16(base.assumingMemoryBound(to: UInt16.self))
        case (.i8, .int8PerRow), (.i8, .int8PerRowSmoothed):
            let q = base.assumingMemoryBound(to: Int8.self), scales = file.scales(of: r).baseAddress!
            storage = r.layout == .panels16x4 ? .int8Panels(q, scales: scales) : .int8(q, scales: scales)
        default:
            throw ModelError.unsupportedStorage(path: file.url.path, tensor: r.name,
                                                what: "dtype \(r.dtype.safetensorsName) with quantization \(r.quantization) cannot be used as a weight matrix")
        }
    }

    /// fp32 rows straight from the file, when the storage is fp32.
    var f32: UnsafePointer<Float>? {
        if case .f32(let p) = storage { return p }
        return nil
    }

    /// Writes rows [first, first + count) as fp32 into `out` (count * cols floats): the matrix's values,
    /// column factors included unless `applyingFactors` is false (a product whose activations already
    /// carry them).
    func widenRows(_ first: Int, count: Int, into out: UnsafeMutablePointer<Float>, applyingFactors: Bool = true) {
        widenStoredRows(first, count: count, into: out)
        guard applyingFactors, let f = columnFactors else { return }
        for r in 0..<count {
            let row = out + r * cols
            for c in 0..<cols { row[c] *= f[c] }
        }
    }

    private func widenStoredRows(_ first: Int, count: Int, into out: UnsafeMutablePointer<Float>) {
        let n = count * cols, offset = first * cols
        switch storage {
        case .f32(let p):
            out.update(from: p + offset, count: n)
        case .f16(let p):
            mb_f16_to_f32(p + offset, out, n)
        case .bf16(let p):
            let src = p + offset
            for i in 0..<n { out[i] = Float(bitPattern: UInt32(src[i]) << 16) }
        case .int8(let q, let scales):
            for r in 0..<count {
                let s = scales[first + r], row = q + offset + r * cols, dst = out + r * cols
                for c in 0..<cols { dst[c] = Float(row[c]) * s }
            }
        case .int8Panels(let q, let scales) where first % PanelLayout.rows == 0 && count % PanelLayout.rows == 0:
            mb_widen_panels_i8(q, Int32(cols), scales, Int32(first), Int32(count), out)
        case .int8Panels(let q, let scales):
            withUnsafeTemporaryAllocation(of: Int8.self, capacity: cols) { row in
                for r in 0..<count {
                    PanelLayout.copyRow(first + r, from: q, cols: cols, into: row.baseAddress!)
                    let s = scales[first + r], dst = out + r * cols
                    for c in 0..<cols { dst[c] = Float(row[c]) * s }
                }
            }
        }
    }

    /// Per-row sums of int8 weights, which the W8A8 kernels need to undo the +128 activation offset.
    func int8RowSums() -> [Int32]? {
        let q: UnsafePointer<Int8>
        switch storage {
        case .int8(let p, _), .int8Panels(let p, _): q = p
        default: return nil
        }
        var sums = [Int32](repeating: 0, count: rows)
        if case .int8Panels = storage {
            sums.withUnsafeMutableBufferPointer { mb_row_sums_i8panels(q, Int32(rows), Int32(cols), $0.baseAddress!) }
        } else {
            for r in 0..<rows {
                var s: Int32 = 0
                for c in 0..<cols { s += Int32(q[r * cols + c]) }
                sums[r] = s
            }
        }
        return sums
    }
}
