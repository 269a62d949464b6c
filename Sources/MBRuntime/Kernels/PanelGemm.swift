import CKernels
import Dispatch
import MBFormat

/// W8A8 linear layers on panel-ordered int8 weights: the C kernel (VNNI where the CPU has it) on
/// per-row quantized activations, with a fused epilogue (dequantize, scale, bias, and a residual
/// add or GeGLU).
///
/// Work is split across cores by output columns (whole 16-row panels), so each task streams its
/// own slice of the weights once and no two tasks write the same output.
enum PanelGemm {
    /// What the kernel's epilogue does with y = x W^T + b, while y is still in registers.
    enum Epilogue {
        /// out = y.
        case store
        /// out += y: a residual connection, without a pass over a separate delta buffer.
        case accumulate
        /// GeGLU: out[:, c] = act(y[:, c]) * y[:, inner + c] for c < inner, where W has 2 x inner rows.
        case gated(Activation)
        /// out = y in blocks of `width` columns, `stride` floats apart, each block's rows `width` floats
        /// apart: column c of row i at (c / width) x stride + i x width + c % width (`width` % 16 == 0).
        case columnBlocks(width: Int, stride: Int)
    }

    /// Panels (16 columns each) per task: 256 columns, a multiple of the kernel's 64-column tile.
    private static let minimumTaskPanels = 16

    /// - Parameters:
    ///   - x: the activations, quantized per row ([rows, k]).
    ///   - y: receives [rows, n] (or [rows, n / 2] for `.gated`).
    static func apply(_ x: QuantizedRows, rows: Int, k: Int, n: Int, weights: UnsafePointer<Int8>,
                      rowSums: [Int32], weightScales: UnsafePointer<Float>, bias: [Float]?,
                      epilogue: Epilogue = .store, into y: UnsafeMutablePointer<Float>) {
        let (xq, xScales) = (x.values, x.scales)
        // Gated products write `inner` = n / 2 columns, each made from two weight columns.
        let outputs = { if case .gated = epilogue { return n / 2 } else { return n } }()
        // Small products are not worth a thread hand-off; big ones use every core.
        let serial = rows * n * k < 1 << 20
        let empty: [Float] = []
        rowSums.withUnsafeBufferPointer { sums in
            (bias ?? empty).withUnsafeBufferPointer { biasBuffer in
                let b = bias == nil ? nil : biasBuffer.baseAddress
                let perTask = serial ? .max : minimumTaskPanels * outputs / n
                ParallelLoop.ranges(outputs / 16, minimumPerTask: perTask) { panels in
                    let (j0, width) = (panels.lowerBound * 16, Int32(panels.count * 16))
                    let (m, kk, w) = (Int32(rows), Int32(k), weights + j0 * k)
                    let (s, scales, bj, out) = (sums.baseAddress! + j0, weightScales + j0, b.map { $0 + j0 }, y + j0)
                    switch epilogue {
                    case .store, .accumulate:
                        let accumulate: Int32 = if case .accumulate = epilogue { 1 } else { 0 }
                        mb_gemm_u8s8_panels(m, width, kk, xq, kk, w, s, xScales, scales, bj, accumulate, out, Int32(n))
                    case .columnBlocks(let blockWidth, let blockStride):
                        mb_gemm_u8s8_panels_blocked(m, width, kk, xq, kk, w, s, xScales, scales, bj, y, Int32(j0),
                                                    Int32(blockWidth), blockStride)
                    case .gated(let activation):
                        mb_gemm_u8s8_panels_gated(m, width, kk, xq, kk, w, s, xScales, scales, bj, Int32(outputs),
                                                  activation.kernelKind, out, Int32(outputs))
                    }
                }
            }
        }
    }
}
