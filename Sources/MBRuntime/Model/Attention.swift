import CKernels
import MBFormat

/// Multi-head self-attention with a fused Wqkv projection, rotary embeddings, and either global
/// or sliding-window (banded) attention.
///
/// Local layers only ever compute scores inside the band |i - j| <= window/2, so their cost is
/// O(tokens x window). Both kinds work on blocks of queries, and the C kernel keeps the scores of a
/// few rows at a time in L1: no [tokens, tokens] buffer exists even at 8192 tokens.
struct Attention: @unchecked Sendable {
    let wqkv: Linear
    let wo: Linear
    let kind: ModelConfig.AttentionKind
    let numHeads: Int
    let headDim: Int
    let halfWindow: Int
    /// Round q, k, v and the softmax weights to bf16 in the products (W8A8 models on CPUs with
    /// AVX-512 BF16; sums stay fp32). Its error is far below W8A8's own: Docs/quantization.md.
    let bf16Products: Bool

    /// Queries per task on local layers, whose keys are the block ± the window.
    private static let localBlockRows = 256

    /// Queries per task. The kernel packs the keys and values a block sees once for all of its
    /// queries; on a global layer that is every key of the sequence, so long sequences get as few
    /// blocks as still keep every thread busy (1 x 8192 on 2 threads: one block per head, not 32).
    private func blockRows(sequenceLength n: Int) -> Int {
        guard kind == .global else { return Self.localBlockRows }
        let blocksPerHead = max(1, (4 * Threading.threads + numHeads - 1) / numHeads)
        return max(Self.localBlockRows, (n + blocksPerHead - 1) / blocksPerHead)
    }

    /// - Parameters:
    ///   - x: normed input [tokens, hidden], fp32 or already quantized for a W8A8 Wqkv.
    ///   - rope: cos/sin tables covering the longest sequence.
    ///   - scratch: the layer's buffers; `wide` holds q, k, v and `gated` the context.
    ///   - hidden: the residual stream [tokens, hidden]; the projected attention output is added to it.
    func callAsFunction(_ x: LinearInput, batch: PackedBatch, rope: (cos: [Float], sin: [Float]),
                        scratch: LayerScratch, addingTo hidden: UnsafeMutablePointer<Float>) {
        let tokens = batch.tokenCount
        project(x, rows: 0..<tokens, of: tokens, into: scratch.wide)
        attend(batch: batch, rope: rope, scratch: scratch)
        wo.accumulate(scratch.gated, rows: tokens, into: hidden, scratch: scratch.delta)
    }

    /// Whether q, k, v are stored head-major, [3 x heads][tokens][headDim] (q's heads, then k's,
    /// then v's), so each head's rows are contiguous for the attention kernel; else token-major
    /// [tokens][3 x hidden] as Wqkv computes them. Only the W8A8 kernel's epilogue can scatter its
    /// columns that way.
    var headMajor: Bool { wqkv.takesQuantizedInput && headDim % 16 == 0 }

    /// Wqkv for the rows `rows` of a batch of `tokens` tokens: their q, k, v into `qkv` in the
    /// layout `headMajor` says.
    func project(_ x: LinearInput, rows: Range<Int>, of tokens: Int, into qkv: UnsafeMutablePointer<Float>) {
        if headMajor {
            wqkv(x, rows: rows.count, columnBlocks: headDim, blockStride: tokens * headDim, into: qkv + rows.lowerBound * headDim)
        } else {
            wqkv(x, rows: rows.count, into: qkv + rows.lowerBound * 3 * numHeads * headDim)
        }
    }

    /// The attention core between the two projections: the context [tokens, hidden] in
    /// `scratch.gated` from q, k, v in `scratch.wide` (laid out as `project` writes them). Callers
    /// that schedule the projections themselves (`EncoderLayer`'s row chunks) call this between them.
    func attend(batch: PackedBatch, rope: (cos: [Float], sin: [Float]), scratch: LayerScratch) {
        let qkv = scratch.wide, context = scratch.gated
        // One task per (sequence, head, query block); each task owns its rows of `context`.
        var tasks: [(range: Range<Int>, head: Int, queries: Range<Int>)] = []
        for range in batch.ranges {
            let n = range.count, rows = blockRows(sequenceLength: n)
            for head in 0..<numHeads {
                for q0 in stride(from: 0, to: n, by: rows) { tasks.append((range, head, q0..<min(n, q0 + rows))) }
            }
        }
        let qkvAddress = UnsafePointer(qkv), contextAddress = context
        rope.cos.withUnsafeBufferPointer { cos in
            rope.sin.withUnsafeBufferPointer { sin in
                let tables = (cos: cos.baseAddress!, sin: sin.baseAddress!)
                ParallelLoop.run(tasks.count) { t in
                    let task = tasks[t]
                    attendBlock(qkv: qkvAddress, tokens: batch.tokenCount, sequence: task.range, head: task.head,
                                queries: task.queries, rope: tables, into: contextAddress)
                }
            }
        }
    }

    /// Attention for one block of queries (positions within the sequence) of one head of one
    /// sequence: the fused C kernel (rotary embeddings applied as q and k are read, then scores,
    /// banded softmax and values per group of rows; Docs/kernels.md).
    private func attendBlock(qkv: UnsafePointer<Float>, tokens: Int, sequence: Range<Int>, head: Int, queries: Range<Int>,
                             rope: (cos: UnsafePointer<Float>, sin: UnsafePointer<Float>),
                             into context: UnsafeMutablePointer<Float>) {
        let hidden = numHeads * headDim, n = sequence.count
        let (q0, q1) = (queries.lowerBound, queries.upperBound)
        let window = kind == .global ? -1 : halfWindow
        // The sequence's rows of this head in q, then k, then v; consecutive rows `stride` floats apart.
        let (q, k, v, stride): (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, Int)
        if headMajor {
            let block = tokens * headDim, first = qkv + head * block + sequence.lowerBound * headDim
            (q, k, v, stride) = (first, first + numHeads * block, first + 2 * numHeads * block, headDim)
        } else {
            let first = qkv + sequence.lowerBound * 3 * hidden + head * headDim
            (q, k, v, stride) = (first, first + hidden, first + 2 * hidden, 3 * hidden)
        }
        let out = context + sequence.lowerBound * hidden + head * headDim
        let floats = mb_attention_scratch_floats(Int32(n), Int32(headDim), Int32(q1 - q0), Int32(window))
        ScratchPool.shared.withBuffer(count: floats) { scratch in
            mb_attention_rows(Int32(n), Int32(headDim), q, k, v, Int32(stride), Int32(q0), Int32(q1),
                              Int32(window), 1 / Float(headDim).squareRoot(), rope.cos, rope.sin, bf16Products ? 1 : 0,
                              scratch, out, Int32(hidden))
        }
    }
}
