/// Cosine similarities between two sets of vectors, as sentence-transformers' `model.similarity(a, b)`
/// with the default `cosine` function: `scores[i][j] = cos(a[i], b[j])`.
public struct SimilarityMatrix: Sendable, Equatable {
    public let scores: [[Float]]

    public init(_ a: [[Float]], _ b: [[Float]]) {
        let an = a.map(l2Normalized), bn = b.map(l2Normalized)
        scores = an.map { x in
            bn.map { y in
                var dot = 0.0
                for k in 0..<min(x.count, y.count) { dot += Double(x[k]) * Double(y[k]) }
                return Float(dot)
            }
        }
    }

    /// All pairs within one set (a symmetric matrix with ones on the diagonal).
    public init(_ vectors: [[Float]]) { self.init(vectors, vectors) }

    public subscript(i: Int, j: Int) -> Float { scores[i][j] }

    /// Column indices of row `i`, best first.
    public func ranking(row i: Int) -> [Int] {
        scores[i].indices.sorted { scores[i][$0] > scores[i][$1] }
    }
}
