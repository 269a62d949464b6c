import Foundation

/// The numbers a validation reports, computed by comparing a candidate's outputs with the reference's.
public struct Metrics: Sendable {
    /// Logit rows compared (tokens for per-token heads, sequences for pooled heads).
    public var rows = 0
    public var logitsTop1Agreement: Double?
    public var logitsTop5ContainsReferenceTop1: Double?
    /// Mean over rows of KL(reference softmax || candidate softmax), in nats.
    public var klDivergenceMean: Double?
    public var maxAbsLogitDiff: Double?
    /// The same logit metrics restricted to masked positions (masked LM with masking on).
    public var maskedRows = 0
    public var maskedTop1Agreement: Double?
    public var maskedTop5ContainsReferenceTop1: Double?
    public var maskedKLDivergenceMean: Double?
    /// Classification checkpoints with two or more labels: argmax agreement.
    public var labelAgreement: Double?
    /// Cosine of last-hidden-state vectors, per token.
    public var hiddenCosineMin = 1.0
    public var hiddenCosineMean = 1.0
    public var perLayer: [LayerMetrics] = []

    public init() {}

    public var worstLayer: LayerMetrics? { perLayer.max { $0.relativeError < $1.relativeError } }
}

/// One hidden state's agreement: cosine per token, and ||candidate - reference|| / ||reference||
/// over all tokens.
public struct LayerMetrics: Sendable {
    public var index: Int
    public var name: String
    public var cosineMin: Double
    public var cosineMean: Double
    public var relativeError: Double
}

/// Streaming accumulators for logit comparisons.
struct LogitStats {
    var rows = 0, top1 = 0, top5 = 0
    var kl = 0.0, maxAbs = 0.0

    /// Compares one row of `width` logits.
    mutating func add(candidate c: UnsafePointer<Float>, reference r: UnsafePointer<Float>, width: Int) {
        var refBest = 0, candBest = 0
        var refMax = -Double.infinity, candMax = -Double.infinity
        for j in 0..<width {
            let rv = Double(r[j]), cv = Double(c[j])
            if rv > refMax { refMax = rv; refBest = j }
            if cv > candMax { candMax = cv; candBest = j }
            maxAbs = max(maxAbs, abs(rv - cv))
        }
        rows += 1
        if refBest == candBest { top1 += 1 }
        // Reference top-1 in the candidate's top 5: fewer than 5 candidate logits exceed it.
        let pivot = c[refBest]
        var above = 0
        for j in 0..<width where c[j] > pivot { above += 1; if above >= 5 { break } }
        if above < 5 { top5 += 1 }
        // KL(p || q) with log-softmax in Double.
        var refSum = 0.0, candSum = 0.0
        for j in 0..<width { refSum += exp(Double(r[j]) - refMax); candSum += exp(Double(c[j]) - candMax) }
        let refLog = refMax + log(refSum), candLog = candMax + log(candSum)
        var total = 0.0
        for j in 0..<width {
            let lp = Double(r[j]) - refLog, lq = Double(c[j]) - candLog
            total += exp(lp) * (lp - lq)
        }
        kl += max(0, total)
    }

    var top1Rate: Double? { rows > 0 ? Double(top1) / Double(rows) : nil }
    var top5Rate: Double? { rows > 0 ? Double(top5) / Double(rows) : nil }
    var klMean: Double? { rows > 0 ? kl / Double(rows) : nil }
}

enum VectorMath {
    static func cosine(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for i in 0..<count {
            let x = Double(a[i]), y = Double(b[i])
            dot += x * y; na += x * x; nb += y * y
        }
        if na == 0 && nb == 0 { return 1 }
        return dot / max((na * nb).squareRoot(), 1e-300)
    }

    /// Per-row cosine (min, mean) and relative Frobenius error of two packed [rows, width] buffers.
    static func compareRows(_ candidate: [Float], _ reference: [Float], width: Int) -> (min: Double, mean: Double, relative: Double) {
        let rows = reference.count / width
        var minimum = 1.0, sum = 0.0, diff = 0.0, norm = 0.0
        candidate.withUnsafeBufferPointer { c in
            reference.withUnsafeBufferPointer { r in
                for row in 0..<rows {
                    let cos = cosine(c.baseAddress! + row * width, r.baseAddress! + row * width, count: width)
                    minimum = min(minimum, cos); sum += cos
                }
                for i in 0..<reference.count {
                    let d = Double(c[i]) - Double(r[i])
                    diff += d * d; norm += Double(r[i]) * Double(r[i])
                }
            }
        }
        return (minimum, rows > 0 ? sum / Double(rows) : 1, (diff / max(norm, 1e-300)).squareRoot())
    }
}
