import CKernels
import Dispatch
import MBFormat

/// y = x W^T + b for a weight W [out, in] in any storage the file uses.
struct Linear: @unchecked Sendable {
    let weight: WeightMatrix
    let bias: [Float]?
    /// Only consulted for int8 weights: widen them (w8a32) or run integer GEMM (w8a8).
    let mode: ExecutionMode
    /// Row sums of panel-ordered int8 weights, computed once at load for the W8A8 kernel.
    private let rowSums: [Int32]?

    init(weight: WeightMatrix, bias: [Float]?, mode: ExecutionMode = .w8a32) {
        self.weight = weight
        self.bias = bias
        self.mode = mode
        if mode == .w8a8, case .int8Panels = weight.storage { rowSums = weight.int8RowSums() } else { rowSums = nil }
    }

    var outFeatures: Int { weight.rows }
    var inFeatures: Int { weight.cols }

    /// Rows of W widened per step when W is not fp32: large enough for an efficient GEMM, small enough for L2.
    private static let panelRows = 256

    /// - Parameters:
    ///   - x: `rows` activations of `inFeatures` floats each.
    ///   - y: receives `rows` outputs of `outFeatures` floats each.
    func callAsFunction(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        let n = outFeatures, k = inFeatures
        if let w = weight.f32 {
            Gemm.abT(m: rows, n: n, k: k, a: x, lda: k, b: w, ldb: k, c: y, ldc: n)
        } else if let rowSums, case let .int8Panels(q, scales) = weight.storage {
            PanelGemm.apply(x, rows: rows, k: k, n: n, weights: q, rowSums: rowSums, weightScales: scales, bias: bias, into: y)
            return  // bias is applied inside the kernel's epilogue
        } else if mode == .w8a8, case let .int8(q, scales) = weight.storage {
            Self.integerProduct(x, rows: rows, k: k, n: n, weights: q, weightScales: scales, into: y)
        } else {
            let panel = UnsafeMutablePointer<Float>.allocate(capacity: Self.panelRows * k)
            defer { panel.deallocate() }
            var first = 0
            while first < n {
                let count = min(Self.panelRows, n - first)
                weight.widenRows(first, count: count, into: panel)
                Gemm.abT(m: rows, n: count, k: k, a: x, lda: k, b: panel, ldb: k, c: y + first, ldc: n)
                first += count
            }
        }
        if let bias { bias.withUnsafeBufferPointer { Elementwise.addBias(y, rows: rows, cols: n, bias: $0.baseAddress!) } }
    }
}

extension Linear {
    /// W8A8: y[i, j] = Float(sum_p xq[i, p] * wq[j, p]) * xScale[i] * wScale[j].
    static func integerProduct(_ x: UnsafePointer<Float>, rows: Int, k: Int, n: Int, weights: UnsafePointer<Int8>,
                               weightScales: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        let xq = UnsafeMutablePointer<Int8>.allocate(capacity: rows * k)
        let xScales = UnsafeMutablePointer<Float>.allocate(capacity: rows)
        let acc = UnsafeMutablePointer<Int32>.allocate(capacity: rows * n)
        defer { xq.deallocate(); xScales.deallocate(); acc.deallocate() }
        ActivationQuantizer.quantizeRows(x, rows: rows, cols: k, into: xq, scales: xScales)
        Int8Gemm.abT(m: rows, n: n, k: k, a: xq, b: weights, c: acc, ldc: n)
        for i in 0..<rows {
            let s = xScales[i], src = acc + i * n, dst = y + i * n
            for j in 0..<n { dst[j] = Float(src[j]) * (s * weightScales[j]) }
        }
    }
}

/// LayerNorm parameters (weight and optional bias), copied out of the file: they are tiny.
struct Norm: Sendable {
    let weight: [Float]
    let bias: [Float]?
    let eps: Float

    func callAsFunction(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        weight.withUnsafeBufferPointer { w in
            if let bias {
                bias.withUnsafeBufferPointer { b in
                    Elementwise.layerNorm(x, rows: rows, cols: w.count, weight: w.baseAddress!, bias: b.baseAddress!, eps: eps, into: y)
                }
            } else {
                Elementwise.layerNorm(x, rows: rows, cols: w.count, weight: w.baseAddress!, bias: nil, eps: eps, into: y)
            }
        }
    }
}
