/// The "panels of 16 rows x 4 columns" order of int8 weight matrices (tensor layout code 1).
///
/// A [rows, cols] matrix with rows % 16 == 0 and cols % 4 == 0 is stored as rows/16 panels, one
/// after another; panel P holds rows 16P..<16P+16 as cols/4 groups of 64 bytes, and group g is
/// w[16P + 0][4g..<4g+4], w[16P + 1][4g..<4g+4], ..., w[16P + 15][4g..<4g+4].
/// One 64-byte group is exactly the operand of the AVX-512 VNNI instruction vpdpbusd for 16
/// output channels and 4 input features, so the kernels read weights straight from the mapped file.
/// The permutation keeps the byte count, so scales and checksums work as for row-major tensors.
public enum PanelLayout {
    public static let rows = 16
    public static let columns = 4

    public static func fits(rows: Int, cols: Int) -> Bool {
        rows > 0 && cols > 0 && rows % Self.rows == 0 && cols % Self.columns == 0
    }

    /// Byte offset of element (r, c) in the panel layout.
    @inline(__always)
    public static func offset(row r: Int, col c: Int, cols: Int) -> Int {
        (r / rows) * rows * cols + (c / columns) * rows * columns + (r % rows) * columns + c % columns
    }

    /// Row-major bytes to panel order.
    public static func pack(_ rowMajor: [Int8], rows: Int, cols: Int) -> [Int8] {
        precondition(fits(rows: rows, cols: cols) && rowMajor.count == rows * cols)
        var out = [Int8](repeating: 0, count: rowMajor.count)
        for r in 0..<rows {
            for c in 0..<cols { out[offset(row: r, col: c, cols: cols)] = rowMajor[r * cols + c] }
        }
        return out
    }

    /// Copies row `r` out of a panel-ordered matrix.
    @inline(__always)
    public static func copyRow(_ r: Int, from packed: UnsafePointer<Int8>, cols: Int, into out: UnsafeMutablePointer<Int8>) {
        let base = packed + (r / rows) * rows * cols + (r % rows) * columns
        for g in 0..<(cols / columns) {
            let src = base + g * rows * columns, dst = out + g * columns
            dst[0] = src[0]; dst[1] = src[1]; dst[2] = src[2]; dst[3] = src[3]
        }
    }
}
