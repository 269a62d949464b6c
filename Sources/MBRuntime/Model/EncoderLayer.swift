import MBFormat

/// One pre-norm ModernBERT layer: h += Attn(attn_norm(h)); h += Wo(act(input) * gate) on mlp_norm(h).
struct EncoderLayer: @unchecked Sendable {
    /// nil on layer 0, whose input is the already-normed embedding output.
    let attentionNorm: Norm?
    let attention: Attention
    let mlpNorm: Norm
    let wi: Linear
    let wo: Linear
    let activation: Activation

    init(index: Int, weights: WeightLoader) throws {
        let c = weights.file.config, p = "layers.\(index)"
        attentionNorm = index == 0 ? nil : try weights.norm("\(p).attn_norm")
        attention = Attention(wqkv: try weights.linear("\(p).attn.Wqkv", bias: c.attentionBias),
                              wo: try weights.linear("\(p).attn.Wo", bias: c.attentionBias),
                              kind: c.layerTypes[index], numHeads: c.numHeads, headDim: c.headDim,
                              halfWindow: c.halfWindow, bf16Products: weights.mode == .w8a8)
        mlpNorm = try weights.norm("\(p).mlp_norm")
        wi = try weights.linear("\(p).mlp.Wi", bias: c.mlpBias)
        wo = try weights.linear("\(p).mlp.Wo", bias: c.mlpBias)
        activation = c.hiddenActivation
    }

    /// Updates `hidden` [tokens, hiddenSize] in place.
    func callAsFunction(_ hidden: UnsafeMutablePointer<Float>, batch: PackedBatch, rope: (cos: [Float], sin: [Float]),
                        scratch: LayerScratch) {
        if let chunks = rowChunks(tokens: batch.tokenCount) {
            inRowChunks(chunks, hidden, batch: batch, rope: rope, scratch: scratch)
            return
        }
        let tokens = batch.tokenCount
        let attentionInput = attentionNorm.map {
            $0(hidden, rows: tokens, for: attention.wqkv, floats: scratch.normed, quantized: scratch.quantized)
        }
        attention(attentionInput ?? .float(hidden), batch: batch, rope: rope, scratch: scratch, addingTo: hidden)
        mlp(hidden, rows: 0..<tokens, scratch: scratch, gated: scratch.gated)
    }

    /// h += Wo(act(input) * gate) with [input | gate] = Wi(mlp_norm(h)), on the rows `rows` of h. The
    /// GeGLU output goes to `gated` (row r at gated + r x inner); the Wi product, where Wi's kernel does
    /// not fuse the GeGLU, to `scratch.wide`.
    func mlp(_ hidden: UnsafeMutablePointer<Float>, rows: Range<Int>, scratch: LayerScratch,
             gated: UnsafeMutablePointer<Float>) {
        let (first, count) = (rows.lowerBound, rows.count)
        let h = mlpNorm.weight.count, inner = wi.outFeatures / 2
        let x = hidden + first * h, out = gated + first * inner
        let input = mlpNorm(x, rows: count, for: wi, floats: scratch.normed + first * h,
                            quantized: scratch.quantized.rows(from: first))
        wi.gatedUnit(input, rows: count, activation: activation, wide: scratch.wide + first * 2 * inner, into: out)
        wo.accumulate(out, rows: count, into: x, scratch: scratch.delta + first * h)
    }
}

/// Activation buffers reused by every layer of one forward pass. The attention half of a layer
/// borrows the MLP's buffers (qkv in `wide`, the attention context in `gated`), which are free
/// at that point: peak activation memory is one layer's widest tensors, not their sum.
final class LayerScratch {
    /// Normed rows for layers that read fp32.
    let normed: UnsafeMutablePointer<Float>
    /// Normed rows for W8A8 layers, quantized as they are normalised.
    let quantized: QuantizedRows
    /// The product of the residual branches' last linear layers, where their kernels cannot add
    /// into the hidden state directly.
    let delta: UnsafeMutablePointer<Float>
    /// [tokens, max(2 x intermediate, 3 x hidden)]: Wi output (unless fused), or fused q, k, v.
    let wide: UnsafeMutablePointer<Float>
    /// [tokens, max(intermediate, hidden)]: GeGLU output, or the attention context.
    let gated: UnsafeMutablePointer<Float>

    init(tokens: Int, hidden: Int, intermediate: Int) {
        normed = .allocate(capacity: tokens * hidden)
        quantized = QuantizedRows(values: .allocate(capacity: tokens * hidden), scales: .allocate(capacity: tokens), cols: hidden)
        delta = .allocate(capacity: tokens * hidden)
        wide = .allocate(capacity: tokens * max(2 * intermediate, 3 * hidden))
        gated = .allocate(capacity: tokens * max(intermediate, hidden))
    }

    deinit {
        normed.deallocate(); delta.deallocate(); wide.deallocate(); gated.deallocate()
        quantized.values.deallocate(); quantized.scales.deallocate()
    }
}
