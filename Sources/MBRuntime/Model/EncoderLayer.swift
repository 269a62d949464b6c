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
        let tokens = batch.tokenCount
        let (floats, quantized) = (scratch.normed, scratch.quantized)
        let attentionInput = attentionNorm.map { $0(hidden, rows: tokens, for: attention.wqkv, floats: floats, quantized: quantized) }
        attention(attentionInput ?? .float(hidden), batch: batch, rope: rope, scratch: scratch, addingTo: hidden)
        let mlpInput = mlpNorm(hidden, rows: tokens, for: wi, floats: floats, quantized: quantized)
        wi.gatedUnit(mlpInput, rows: tokens, activation: activation, wide: scratch.wide, into: scratch.gated)
        wo.accumulate(scratch.gated, rows: tokens, into: hidden, scratch: scratch.delta)
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
