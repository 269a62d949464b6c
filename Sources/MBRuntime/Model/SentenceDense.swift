import Foundation
import MBFormat

/// A sentence-transformers `Dense` module applied to pooled sentence vectors:
/// `activation(W x + b)`, plus `x` (or `R x` when the widths differ) with `use_residual`.
///
/// Runs on a few rows (one per text), so the activation is scalar code; the product goes through
/// `Linear` like every other layer (any storage: fp32, fp16, int8).
struct SentenceDense: @unchecked Sendable {
    let config: SentenceEmbeddingConfig.Dense
    private let linear: Linear
    private let residual: Linear?

    init(index: Int, config: SentenceEmbeddingConfig.Dense, weights: WeightLoader) throws {
        let prefix = SentenceEmbeddingConfig.denseTensorPrefix(index)
        self.config = config
        linear = try weights.linear("\(prefix).linear", bias: config.bias)
        residual = config.hasResidualProjection
            ? Linear(weight: try weights.matrix("\(prefix).residual.weight"), bias: nil, mode: weights.mode) : nil
    }

    /// `x` is [rows, inFeatures] row-major; returns [rows, outFeatures].
    func callAsFunction(_ x: [Float], rows: Int) -> [Float] {
        var y = [Float](repeating: 0, count: rows * config.outFeatures)
        x.withUnsafeBufferPointer { xb in
            y.withUnsafeMutableBufferPointer { yb in linear(xb.baseAddress!, rows: rows, into: yb.baseAddress!) }
        }
        for i in y.indices { y[i] = Self.activate(y[i], config.activation) }
        guard config.residual else { return y }
        if let residual {
            var r = [Float](repeating: 0, count: y.count)
            x.withUnsafeBufferPointer { xb in
                r.withUnsafeMutableBufferPointer { rb in residual(xb.baseAddress!, rows: rows, into: rb.baseAddress!) }
            }
            for i in y.indices { y[i] += r[i] }
        } else {
            for i in y.indices { y[i] += x[i] }
        }
        return y
    }

    /// torch's definitions (GELU: the exact, erf-based one that `torch.nn.GELU()` computes).
    static func activate(_ v: Float, _ activation: DenseActivation) -> Float {
        switch activation {
        case .identity: return v
        case .tanh: return tanh(v)
        case .sigmoid: return 1 / (1 + exp(-v))
        case .relu: return max(v, 0)
        case .gelu: return 0.5 * v * (1 + erf(v / 2.0.squareRoot().float))
        case .silu: return v / (1 + exp(-v))
        }
    }
}

private extension Double {
    var float: Float { Float(self) }
}
