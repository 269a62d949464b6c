/// The tensors a ModernBERT of a given configuration has, by canonical name and shape.
///
/// Canonical names are transformers' names without the `model.` prefix that task classes add
/// ("layers.3.attn.Wqkv.weight", "head.dense.weight", "decoder.bias"). The converter uses this list
/// to know what to copy; the runtime uses it to refuse a file whose tensors and config disagree.
public enum ModelTensors {
    public struct Spec: Sendable, Equatable {
        public var name: String
        public var shape: [Int]
        /// Linear weights are what quantization and fp16 storage apply to.
        public var isMatrix: Bool { shape.count == 2 }
    }

    public static func expected(for c: ModelConfig) -> [Spec] {
        let h = c.hiddenSize, i = c.intermediateSize
        var specs: [Spec] = []
        func add(_ name: String, _ shape: [Int]) { specs.append(Spec(name: name, shape: shape)) }
        func norm(_ prefix: String) {
            add("\(prefix).weight", [h])
            if c.normBias { add("\(prefix).bias", [h]) }
        }
        func linear(_ prefix: String, out: Int, in inputs: Int, bias: Bool) {
            add("\(prefix).weight", [out, inputs])
            if bias { add("\(prefix).bias", [out]) }
        }
        add("embeddings.tok_embeddings.weight", [c.vocabSize, h])
        norm("embeddings.norm")
        for layer in 0..<c.numLayers {
            let p = "layers.\(layer)"
            if layer > 0 { norm("\(p).attn_norm") }  // layer 0 reads the already-normed embeddings
            linear("\(p).attn.Wqkv", out: 3 * h, in: h, bias: c.attentionBias)
            linear("\(p).attn.Wo", out: h, in: h, bias: c.attentionBias)
            norm("\(p).mlp_norm")
            linear("\(p).mlp.Wi", out: 2 * i, in: h, bias: c.mlpBias)
            linear("\(p).mlp.Wo", out: h, in: i, bias: c.mlpBias)
        }
        norm("final_norm")
        // sentence-transformers Dense modules after pooling (any architecture may carry them).
        for (k, d) in (c.sentenceEmbedding?.dense ?? []).enumerated() {
            let p = SentenceEmbeddingConfig.denseTensorPrefix(k)
            linear("\(p).linear", out: d.outFeatures, in: d.inFeatures, bias: d.bias)
            if d.hasResidualProjection { add("\(p).residual.weight", [d.outFeatures, d.inFeatures]) }
        }
        guard c.hasHead else { return specs }
        linear("head.dense", out: h, in: h, bias: c.classifierBias)
        norm("head.norm")
        switch c.architecture {
        case .maskedLM:
            if !c.tieWordEmbeddings { add("decoder.weight", [c.vocabSize, h]) }
            if c.decoderBias { add("decoder.bias", [c.vocabSize]) }
        case .sequenceClassification, .tokenClassification, .questionAnswering:
            linear("classifier", out: c.numLabels, in: h, bias: true)
        case .base:
            break
        }
        return specs
    }
}
