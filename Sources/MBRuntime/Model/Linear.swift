import CKernels
import Dispatch
import MBFormat

/// y = x W^T + b for a weight W [out, in] in any storage the file uses.
struct Linear: @unchecked Sendable {
    let weight: WeightMatrix
    let bias: [Float]?
    /// Only consulted for int8 weights: widen them (w8a32) or run integer GEMM (w8a8).
    let mode: ExecutionMode
    /// Row sums of panel-ordered int8 weights for the W8A8 kernel (nil in other modes and storages).
    private let rowSums: LazyRowSums?
    /// The weight's tensor name and who wants to see this layer's fp32 inputs (calibration).
    let name: String
    let observer: LinearInputObserver?

    init(weight: WeightMatrix, bias: [Float]?, mode: ExecutionMode = .w8a32, name: String = "",
         observer: LinearInputObserver? = nil) {
        self.weight = weight
        self.bias = bias
        self.mode = mode
        self.name = name
        self.observer = observer
        if mode == .w8a8, case .int8Panels = weight.storage { rowSums = LazyRowSums() } else { rowSums = nil }
    }

    /// True when the activations must be multiplied by the weight's column factors (quantization 2)
    /// before the product: such a layer cannot take rows a layer norm quantized without them.
    var smoothsInput: Bool { weight.columnFactors != nil }

    var outFeatures: Int { weight.rows }
    var inFeatures: Int { weight.cols }

    /// Rows of W widened per step when W is not fp32: enough for an efficient GEMM, a few MB of scratch.
    private static let panelRows = 512

    /// Splits the output columns into one slice per thread (multiples of `unit`, whole kernel tiles)
    /// and runs `body(first, last)` on each; small products run on the calling thread.
    private func forEachColumnSlice(rows: Int, unit: Int, _ body: (Int, Int) -> Void) {
        let n = outFeatures
        let serial = rows * n * inFeatures < 1 << 19
        ParallelLoop.ranges((n + unit - 1) / unit, minimumPerTask: serial ? .max : 4) { units in
            body(units.lowerBound * unit, min(n, units.upperBound * unit))
        }
    }

    /// fp16/bf16/int8 weights with fp32 activations and many rows: each thread widens its columns'
    /// weights a panel of rows at a time into a reused buffer and multiplies with OpenBLAS.
    private func widened(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        let n = outFeatures, k = inFeatures
        forEachColumnSlice(rows: rows, unit: 16) { first, last in
            ScratchPool.shared.withBuffer(count: Self.panelRows * k) { panel in
                var start = first
                while start < last {
                    let count = min(Self.panelRows, last - start)
                    weight.widenRows(start, count: count, into: panel, applyingFactors: false)  // x carries them
                    Gemm.abT(m: rows, n: count, k: k, a: x, lda: k, b: panel, ldb: k, c: y + start, ldc: n)
                    start += count
                }
            }
        }
    }

    /// Up to this many activation rows, non-fp32 weights are converted in registers (`direct`)
    /// instead of widened to fp32 panels for sgemm: measured crossover, Docs/kernels.md.
    static let directRowsLimit = 96

    /// Few activation rows with fp16/bf16/int8 weights: the C kernels convert each weight once per
    /// tile in registers; cores split the output columns.
    private func direct(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        let n = outFeatures, k = inFeatures
        // Slices are multiples of the kernels' tiles (32 panel rows, 4 plain rows).
        let unit = { if case .int8Panels = weight.storage { return 32 } else { return 4 } }()
        let empty: [Float] = []
        (bias ?? empty).withUnsafeBufferPointer { biasBuffer in
            let b = bias == nil ? nil : biasBuffer.baseAddress
            forEachColumnSlice(rows: rows, unit: unit) { j0, j1 in
                let (m, width, kk, ld) = (Int32(rows), Int32(j1 - j0), Int32(k), Int32(n))
                let out = y + j0, bj = b.map { $0 + j0 }
                switch weight.storage {
                case .int8Panels(let q, let scales):
                    mb_gemv_f32_i8panels(m, width, kk, x, kk, q + j0 * k, scales + j0, bj, out, ld)
                case .int8(let q, let scales):
                    mb_gemv_f32_i8rows(m, width, kk, x, kk, q + j0 * k, scales + j0, bj, out, ld)
                case .f16(let p):
                    mb_gemv_f32_f16rows(m, width, kk, x, kk, p + j0 * k, nil, bj, out, ld)
                case .bf16(let p):
                    mb_gemv_f32_bf16rows(m, width, kk, x, kk, p + j0 * k, nil, bj, out, ld)
                case .f32:
                    preconditionFailure("fp32 weights go to OpenBLAS")
                }
            }
        }
    }

    /// True for W8A8 panel weights: such a layer reads `LinearInput.quantized` rows, so its
    /// producer can quantize them on the fly instead of storing fp32 rows.
    var takesQuantizedInput: Bool { rowSums != nil }

    /// The W8A8 panel kernel with the given epilogue (only when `takesQuantizedInput`).
    private func panelProduct(_ input: LinearInput, rows: Int, epilogue: PanelGemm.Epilogue,
                              into y: UnsafeMutablePointer<Float>) {
        guard let rowSums, case let .int8Panels(q, scales) = weight.storage else { preconditionFailure("not a W8A8 panel layer") }
        let sums = rowSums.value(for: weight)
        input.withQuantizedRows(rows: rows, cols: inFeatures, factors: weight.columnFactors) { x in
            PanelGemm.apply(x, rows: rows, k: inFeatures, n: outFeatures, weights: q, rowSums: sums, weightScales: scales,
                            bias: bias, epilogue: epilogue, into: y)
        }
    }

    /// - Parameters:
    ///   - x: `rows` activations of `inFeatures` floats each.
    ///   - y: receives `rows` outputs of `outFeatures` floats each.
    func callAsFunction(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        self(.float(x), rows: rows, into: y)
    }

    func callAsFunction(_ input: LinearInput, rows: Int, into y: UnsafeMutablePointer<Float>) {
        // The panel kernel's epilogue scales and adds the bias while the tile is in registers.
        if takesQuantizedInput { panelProduct(input, rows: rows, epilogue: .store, into: y) }
        else { product(input.floats, rows: rows, into: y) }
    }

    /// y = x W^T + b written in blocks of `width` columns (`PanelGemm.Epilogue.columnBlocks`); only
    /// for W8A8 panel layers (`takesQuantizedInput`), with `width` % 16 == 0.
    func callAsFunction(_ input: LinearInput, rows: Int, columnBlocks width: Int, blockStride: Int,
                        into y: UnsafeMutablePointer<Float>) {
        panelProduct(input, rows: rows, epilogue: .columnBlocks(width: width, stride: blockStride), into: y)
    }

    /// y += x W^T + b: a residual connection. The W8A8 panel kernel adds in its epilogue; other
    /// paths compute the product into `scratch` ([rows, outFeatures]) and add it.
    func accumulate(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>,
                    scratch: UnsafeMutablePointer<Float>) {
        if takesQuantizedInput { panelProduct(.float(x), rows: rows, epilogue: .accumulate, into: y); return }
        let n = outFeatures
        product(x, rows: rows, into: scratch)
        ParallelLoop.ranges(rows) { range in
            let offset = range.lowerBound * n
            Elementwise.add(scratch + offset, into: y + offset, count: range.count * n)
        }
    }

    /// y = x W^T + b on every path but the W8A8 panel kernel.
    private func product(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        observer?.observe(name, x, rows: rows, cols: inFeatures)
        guard let factors = weight.columnFactors else { return storedProduct(x, rows: rows, into: y) }
        // A smoothed matrix outside the W8A8 kernel: the activations times the column factors, then
        // the stored rows as they are (the paths below never apply the factors themselves).
        let k = inFeatures
        ScratchPool.shared.withBuffer(count: rows * k) { xs in
            for r in 0..<rows {
                let src = x + r * k, dst = xs + r * k
                for c in 0..<k { dst[c] = src[c] * factors[c] }
            }
            storedProduct(xs, rows: rows, into: y)
        }
    }

    /// `product` on activations that already carry any column factors.
    private func storedProduct(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        let n = outFeatures, k = inFeatures
        if let w = weight.f32 {
            forEachColumnSlice(rows: rows, unit: 16) { first, last in
                Gemm.abT(m: rows, n: last - first, k: k, a: x, lda: k, b: w + first * k, ldb: k, c: y + first, ldc: n)
            }
        } else if mode == .w8a8, case let .int8(q, scales) = weight.storage {
            Self.integerProduct(x, rows: rows, k: k, n: n, weights: q, weightScales: scales, into: y)
        } else if rows <= Self.directRowsLimit {
            direct(x, rows: rows, into: y)
            return  // bias is applied inside the kernel
        } else {
            widened(x, rows: rows, into: y)
        }
        if let bias { bias.withUnsafeBufferPointer { Elementwise.addBias(y, rows: rows, cols: n, bias: $0.baseAddress!) } }
    }

    /// True when `gatedUnit` applies the activation in the W8A8 kernel's epilogue and leaves `wide` untouched.
    var fusesGatedUnit: Bool { takesQuantizedInput && (outFeatures / 2) % 16 == 0 }

    /// A gated linear unit on this layer's output [input | gate] (GeGLU in ModernBERT's MLP):
    /// out[:, c] = act(y[:, c]) * y[:, inner + c] with inner = outFeatures / 2.
    ///
    /// W8A8 panel weights fuse the gate into the kernel's epilogue, so the [rows, 2 x inner]
    /// product is never written; other storages compute it into `wide` first.
    func gatedUnit(_ input: LinearInput, rows: Int, activation: Activation, wide: UnsafeMutablePointer<Float>,
                   into out: UnsafeMutablePointer<Float>) {
        let inner = outFeatures / 2
        if fusesGatedUnit {
            panelProduct(input, rows: rows, epilogue: .gated(activation), into: out)
            return
        }
        self(input, rows: rows, into: wide)
        ParallelLoop.ranges(rows) { range in
            Elementwise.gatedActivation(wide + range.lowerBound * 2 * inner, rows: range.count, inner: inner, activation,
                                        into: out + range.lowerBound * inner)
        }
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
