import CBLAS

/// fp32 matrix products through OpenBLAS, in the row-major shapes the model uses.
enum Gemm {
    /// C[m, n] (ldc) = alpha * A[m, k] (lda) * B[n, k]^T (ldb) + beta * C.
    ///
    /// Weights are stored [out, in] like PyTorch's Linear, so the product with activations
    /// [tokens, in] is always against the transpose.
    @inline(__always)
    static func abT(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                    c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float = 1, beta: Float = 0) {
        guard m > 0, n > 0 else { return }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

/// fp32 matrix products for tools built on the runtime (int8 calibration measures candidate
/// quantizations with them); the same OpenBLAS call the model uses.
public enum MatrixProduct {
    /// c[m, n] = a[m, k] * b[n, k]^T, all row-major and packed.
    public static func abT(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) {
        Gemm.abT(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: k, c: c, ldc: n)
    }
}
