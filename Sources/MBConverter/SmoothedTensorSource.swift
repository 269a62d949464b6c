import Foundation
import MBFormat

/// A tensor source whose int8 matrices are outlier-smoothed (`SmoothingSearch`), with each 1/s folded
/// exactly where the model's algebra allows, so the model it describes computes the same function:
///
/// - Wqkv of layers >= 1: into `attn_norm` (weight and bias divided by s); Wi: into `mlp_norm`;
/// - the MLP's Wo: into the gate half of Wi (rows I + j and their biases divided by s_j: GeGLU is
///   act(input) * gate, linear in the gate);
/// - the attention's Wo: into the V rows of Wqkv (attention output is a convex combination of V rows);
/// - an MLM decoder stored as its own tensor, or a classifier: into `head.norm`;
/// - elsewhere (Wqkv of layer 0, whose input is also the residual stream, and `head.dense`, whose input
///   is the encoder's output): stored with quantization code 2, whose column factors f = 1/s the
///   runtime's activation quantizer applies.
///
/// Row scaling never changes what per-row int8 quantization of the producer stores (a row's scale
/// absorbs it), so the producers lose nothing. The token embedding table is never smoothed: a tied
/// decoder shares it with the lookup, which would pay for the decoder's smoothing.
public struct SmoothedTensorSource: TensorSource {
    public let base: TensorSource
    /// s per smoothed matrix (weight tensor name).
    public let scales: [String: [Float]]
    private var columnScale: [String: [Float]] = [:]
    private var rowScale: [String: (offset: Int, factors: [Float])] = [:]
    private var vectorScale: [String: [Float]] = [:]
    private var factors: [String: [Float]] = [:]

    /// Where a matrix's 1/s goes.
    public enum Placement: Equatable {
        /// A layer norm (prefix `layers.3.mlp_norm`, `head.norm`): weight and bias.
        case norm(String)
        /// Rows [offset, offset + cols) of a linear layer (prefix) and its bias.
        case rows(String, offset: Int)
        /// The activation quantizer (quantization code 2).
        case activationQuantizer

        public var description: String {
            switch self {
            case .norm(let p): return p
            case .rows(let p, let offset): return "\(p) rows from \(offset)"
            case .activationQuantizer: return "activation quantizer"
            }
        }
    }

    /// Where smoothing of `name` would be applied, or nil when `name` is not smoothed (the embedding table).
    public static func placement(of name: String, config c: ModelConfig) -> Placement? {
        let parts = name.split(separator: ".")
        if parts.count == 5, parts[0] == "layers", let n = Int(parts[1]) {
            switch (parts[2], parts[3]) {
            case ("attn", "Wqkv"): return n > 0 ? .norm("layers.\(n).attn_norm") : .activationQuantizer
            case ("mlp", "Wi"): return .norm("layers.\(n).mlp_norm")
            case ("mlp", "Wo"): return .rows("layers.\(n).mlp.Wi", offset: c.intermediateSize)
            case ("attn", "Wo"): return .rows("layers.\(n).attn.Wqkv", offset: 2 * c.hiddenSize)
            default: return nil
            }
        }
        switch name {
        case "head.dense.weight": return .activationQuantizer
        case "decoder.weight", "classifier.weight": return .norm("head.norm")
        default: return nil
        }
    }

    public init(base: TensorSource, scales: [String: [Float]]) {
        self.base = base
        self.scales = scales
        let c = base.config
        for (name, s) in scales {
            guard let place = Self.placement(of: name, config: c) else { continue }
            columnScale[name] = s
            let inverse = s.map { 1 / $0 }
            switch place {
            case .norm(let prefix):
                vectorScale["\(prefix).weight"] = inverse
                vectorScale["\(prefix).bias"] = inverse
            case .rows(let prefix, let offset):
                rowScale[prefix] = (offset, inverse)
            case .activationQuantizer:
                factors[name] = inverse
            }
        }
    }

    public var config: ModelConfig { base.config }
    public var metadata: [String: String] { base.metadata }
    public var tokenizerJSON: [UInt8]? { base.tokenizerJSON }
    public var tokenizerConfigJSON: [UInt8]? { base.tokenizerConfigJSON }
    public var inputFiles: [URL] { base.inputFiles }
    public var sourceBytes: Int { base.sourceBytes }

    public func columnFactors(_ name: String) -> [Float]? { factors[name] }

    public func floats(_ spec: ModelTensors.Spec) throws -> [Float] {
        var v = try base.values(spec)
        let name = spec.name
        if let s = columnScale[name], spec.isMatrix {
            let cols = spec.shape[1]
            for i in v.indices { v[i] *= s[i % cols] }
        }
        if let inverse = vectorScale[name] {
            for i in v.indices { v[i] *= inverse[i] }
        }
        let prefix = name.hasSuffix(".weight") ? String(name.dropLast(7)) : name.hasSuffix(".bias") ? String(name.dropLast(5)) : name
        if let (offset, inverse) = rowScale[prefix] {
            let width = spec.isMatrix ? spec.shape[1] : 1
            for (j, f) in inverse.enumerated() {
                let row = offset + j
                for i in (row * width)..<((row + 1) * width) { v[i] *= f }
            }
        }
        return v
    }
}

extension TensorSource {
    /// Column factors of a matrix stored with quantization code 2; nil for every other tensor.
    public func columnFactors(_ name: String) -> [Float]? {
        (self as? SmoothedTensorSource)?.columnFactors(name)
    }

    /// `floats`, with the decoder projection of a tied MLM read from the embedding table (a plan may
    /// store it as its own tensor, `QuantizationPlan.Options.decoder`).
    public func values(_ spec: ModelTensors.Spec) throws -> [Float] {
        if let smoothed = self as? SmoothedTensorSource { return try smoothed.floats(spec) }  // aliases through its base
        if spec.name == "decoder.weight", config.tieWordEmbeddings {
            return try floats(ModelTensors.Spec(name: "embeddings.tok_embeddings.weight", shape: spec.shape))
        }
        return try floats(spec)
    }
}
