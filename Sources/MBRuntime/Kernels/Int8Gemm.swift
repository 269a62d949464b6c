import Dispatch

/// Integer matrix products for W8A8 linear layers: int8 x int8 -> int32, exact.
///
/// Both operands are row-major with the reduction dimension contiguous (activations [m, k],
/// weights [n, k] as PyTorch stores them), so every output is a dot product of two contiguous
/// int8 rows. The kernel widens 16 lanes at a time to Int32 and works on a 4 x 4 tile of outputs
/// so each widened load feeds four multiply-adds. Int32 accumulation is exact for any k below
/// 2^31 / 127^2 ≈ 133 000, far beyond ModernBERT's widths.
///
/// It serves W8A8 on int8 weights stored row-major (files written without the panel layout).
/// Panel-ordered weights, which the converter writes by default, go to the VNNI kernel through
/// `PanelGemm` (checked by `PanelGemmTests` against its own plain loop); this one against `reference`.
public enum Int8Gemm {
    /// Output tile: rows of A x rows of B computed together.
    static let tileM = 4, tileN = 4
    /// Rows of B (output columns) handed to one concurrent task.
    static let taskColumns = 64

    /// C[m, n] (ldc) = A[m, k] * B[n, k]^T in Int32.
    public static func abT(m: Int, n: Int, k: Int, a: UnsafePointer<Int8>, b: UnsafePointer<Int8>,
                           c: UnsafeMutablePointer<Int32>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        let tasks = (n + taskColumns - 1) / taskColumns
        let work = { (t: Int) in
            let j0 = t * taskColumns, j1 = min(n, j0 + taskColumns)
            var i = 0
            while i < m {
                let rows = min(tileM, m - i)
                var j = j0
                while j < j1 {
                    let cols = min(tileN, j1 - j)
                    if rows == tileM && cols == tileN {
                        tile(k: k, a: a + i * k, b: b + j * k, c: c + i * ldc + j, ldc: ldc)
                    } else {
                        edge(rows: rows, cols: cols, k: k, a: a + i * k, b: b + j * k, c: c + i * ldc + j, ldc: ldc)
                    }
                    j += cols
                }
                i += rows
            }
        }
        if tasks == 1 || m * n * k < 1 << 16 {
            for t in 0..<tasks { work(t) }
        } else {
            ParallelLoop.run(tasks, work)
        }
    }

    @inline(__always)
    private static func load16(_ p: UnsafePointer<Int8>) -> SIMD16<Int32> {
        SIMD16<Int32>(truncatingIfNeeded: UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Int8>.self))
    }

    /// A full 4 x 4 tile: sixteen SIMD accumulators, eight widened loads per 16 steps of k.
    @inline(__always)
    private static func tile(k: Int, a: UnsafePointer<Int8>, b: UnsafePointer<Int8>,
                             c: UnsafeMutablePointer<Int32>, ldc: Int) {
        var s00 = SIMD16<Int32>(), s01 = SIMD16<Int32>(), s02 = SIMD16<Int32>(), s03 = SIMD16<Int32>()
        var s10 = SIMD16<Int32>(), s11 = SIMD16<Int32>(), s12 = SIMD16<Int32>(), s13 = SIMD16<Int32>()
        var s20 = SIMD16<Int32>(), s21 = SIMD16<Int32>(), s22 = SIMD16<Int32>(), s23 = SIMD16<Int32>()
        var s30 = SIMD16<Int32>(), s31 = SIMD16<Int32>(), s32 = SIMD16<Int32>(), s33 = SIMD16<Int32>()
        let a1 = a + k, a2 = a + 2 * k, a3 = a + 3 * k
        let b1 = b + k, b2 = b + 2 * k, b3 = b + 3 * k
        var p = 0
        while p + 16 <= k {
            let x0 = load16(a + p), x1 = load16(a1 + p), x2 = load16(a2 + p), x3 = load16(a3 + p)
            let w0 = load16(b + p), w1 = load16(b1 + p), w2 = load16(b2 + p), w3 = load16(b3 + p)
            s00 &+= x0 &* w0; s01 &+= x0 &* w1; s02 &+= x0 &* w2; s03 &+= x0 &* w3
            s10 &+= x1 &* w0; s11 &+= x1 &* w1; s12 &+= x1 &* w2; s13 &+= x1 &* w3
            s20 &+= x2 &* w0; s21 &+= x2 &* w1; s22 &+= x2 &* w2; s23 &+= x2 &* w3
            s30 &+= x3 &* w0; s31 &+= x3 &* w1; s32 &+= x3 &* w2; s33 &+= x3 &* w3
            p += 16
        }
        func store(_ r: Int, _ col: Int, _ s: SIMD16<Int32>) {
            var total = s.wrappedSum()
            let ar = a + r * k, br = b + col * k
            for q in p..<k { total &+= Int32(ar[q]) &* Int32(br[q]) }
            c[r * ldc + col] = total
        }
        store(0, 0, s00); store(0, 1, s01); store(0, 2, s02); store(0, 3, s03)
        store(1, 0, s10); store(1, 1, s11); store(1, 2, s12); store(1, 3, s13)
        store(2, 0, s20); store(2, 1, s21); store(2, 2, s22); store(2, 3, s23)
        store(3, 0, s30); store(3, 1, s31); store(3, 2, s32); store(3, 3, s33)
    }

    /// Partial tiles at the matrix edges: one dot product at a time.
    private static func edge(rows: Int, cols: Int, k: Int, a: UnsafePointer<Int8>, b: UnsafePointer<Int8>,
                             c: UnsafeMutablePointer<Int32>, ldc: Int) {
        for r in 0..<rows {
            for col in 0..<cols {
                c[r * ldc + col] = dot(k: k, a + r * k, b + col * k)
            }
        }
    }

    @inline(__always)
    static func dot(k: Int, _ x: UnsafePointer<Int8>, _ y: UnsafePointer<Int8>) -> Int32 {
        var acc = SIMD16<Int32>()
        var p = 0
        while p + 16 <= k { acc &+= load16(x + p) &* load16(y + p); p += 16 }
        var total = acc.wrappedSum()
        while p < k { total &+= Int32(x[p]) &* Int32(y[p]); p += 1 }
        return total
    }

    /// The definition, one multiply-add at a time: what the fast kernel must equal exactly.
    public static func reference(m: Int, n: Int, k: Int, a: UnsafePointer<Int8>, b: UnsafePointer<Int8>,
                                 c: UnsafeMutablePointer<Int32>, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var total: Int32 = 0
                for p in 0..<k { total &+= Int32(a[i * k + p]) * Int32(b[j * k + p]) }
                c[i * ldc + j] = total
            }
        }
    }
}
