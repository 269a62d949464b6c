import CKernels
import Dispatch

/// W8A8 linear layers on panel-ordered int8 weights: per-token activation quantization, then the
/// C kernel (VNNI where the CPU has it) with a fused dequantize-scale-bias epilogue.
///
/// Work is split across cores by output columns (whole 16-row panels), so each task streams its
/// own slice of the weights once and no two tasks write the same output.
enum PanelGemm {
    /// Panels (16 columns each) per task: 256 columns, a multiple of the kernel's 64-column tile.
    private static let minimumTaskPanels = 16

    static func apply(_ x: UnsafePointer<Float>, rows: Int, k: Int, n: Int, weights: UnsafePointer<Int8>,
                      rowSums: [Int32], weightScales: UnsafePointer<Float>, bias: [Float]?,
                      into y: UnsafeMutablePointer<Float>) {
        let xq = UnsafeMutablePointer<UInt8>.allocate(capacity: rows * k)
        let xScales = UnsafeMutablePointer<Float>.allocate(capacity: rows)
        defer { xq.deallocate(); xScales.deallocate() }
        ParallelLoop.ranges(rows) { r in
            mb_quantize_rows_u8(x + r.lowerBound * k, Int32(r.count), Int32(k), Int32(k), xq + r.lowerBound * k,
                                Int32(k), xScales + r.lowerBound)
        }

        // Small products are not worth a thread hand-off; big ones use every core.
        let serial = rows * n * k < 1 << 20
        let empty: [Float] = []
        rowSums.withUnsafeBufferPointer { sums in
            (bias ?? empty).withUnsafeBufferPointer { biasBuffer in
                let b = bias == nil ? nil : biasBuffer.baseAddress
                ParallelLoop.ranges(n / 16, minimumPerTask: serial ? .max : minimumTaskPanels) { panels in
                    let j0 = panels.lowerBound * 16, width = panels.count * 16
                    mb_gemm_u8s8_panels(Int32(rows), Int32(width), Int32(k), xq, Int32(k), weights + j0 * k,
                                        sums.baseAddress! + j0, xScales, weightScales + j0, b.map { $0 + j0 },
                                        y + j0, Int32(n))
                }
            }
        }
    }
}
