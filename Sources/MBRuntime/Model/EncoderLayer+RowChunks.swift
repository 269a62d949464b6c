/// A W8A8 layer over many tokens, scheduled in chunks of rows.
///
/// Everything in a layer but attention is row-wise: norms, quantization, the four projections,
/// GeGLU, residual adds. Run whole, each of those steps is its own parallel loop (nine per layer,
/// each split by output columns and ending in a wait for the slower core), and each step's output
/// leaves the cache before the next step reads it. Here a thread takes a chunk of rows through
/// every row-wise step at once, so a layer is three parallel loops: the chunks up to q, k, v,
/// attention, then the chunks from the attention output through the MLP. Chunks are taken
/// dynamically, so a core slowed down by something else takes fewer of them.
///
/// Each row goes through exactly the instructions the whole-matrix path runs (no step reduces
/// across rows, and the kernels' results do not depend on how rows are grouped), so both paths
/// give the same bits.
extension EncoderLayer {
    /// Rows per chunk: a multiple of the int8 kernel's 6-row tile; small enough that a chunk's
    /// q, k, v (48 x 3 x 768 floats in ModernBERT-base) stay in a core's L2 between steps.
    static let chunkRows = 48

    /// How many chunks `tokens` rows make, or nil to run the layer whole: when a projection is not
    /// W8A8 (those kernels split columns and would run one chunk at a time on one core), or when
    /// there are too few chunks for every thread to take several (so the last ones even out).
    func rowChunks(tokens: Int) -> Int? {
        let allW8A8 = attention.wqkv.takesQuantizedInput && attention.wo.takesQuantizedInput
            && wi.fusesGatedUnit && wo.takesQuantizedInput
        guard allW8A8, tokens >= 4 * Threading.threads * Self.chunkRows else { return nil }
        return (tokens + Self.chunkRows - 1) / Self.chunkRows
    }

    /// The layer in three parallel loops. Inner loops (a norm's rows, a product's columns) run on
    /// the thread that took the chunk: the pool runs nested loops serially.
    func inRowChunks(_ chunks: Int, _ hidden: UnsafeMutablePointer<Float>, batch: PackedBatch,
                     rope: (cos: [Float], sin: [Float]), scratch: LayerScratch) {
        let tokens = batch.tokenCount, h = mlpNorm.weight.count
        func rows(_ chunk: Int) -> Range<Int> { chunk * Self.chunkRows..<min(tokens, (chunk + 1) * Self.chunkRows) }

        ParallelLoop.run(chunks) { chunk in  // attn_norm, Wqkv -> q, k, v in `wide`
            let r = rows(chunk), x = hidden + r.lowerBound * h
            let input = attentionNorm.map {
                $0(x, rows: r.count, for: attention.wqkv, floats: scratch.normed + r.lowerBound * h,
                   quantized: scratch.quantized.rows(from: r.lowerBound))
            }
            attention.project(input ?? .float(x), rows: r, of: tokens, into: scratch.wide)
        }
        attention.attend(batch: batch, rope: rope, scratch: scratch)  // context in `gated`
        ParallelLoop.run(chunks) { chunk in  // Wo, then the MLP, whose GeGLU output takes the spent q, k, v's place
            let r = rows(chunk), x = hidden + r.lowerBound * h
            attention.wo.accumulate(scratch.gated + r.lowerBound * h, rows: r.count, into: x,
                                    scratch: scratch.delta + r.lowerBound * h)
            mlp(hidden, rows: r, scratch: scratch, gated: scratch.wide)
        }
    }
}
