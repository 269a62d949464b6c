enum Softmax {
    /// Softmax over `row[range]`, zeroing the rest of a row of `width` values (masked positions).
    static func inPlace(_ row: UnsafeMutablePointer<Float>, range: Range<Int>, width: Int) {
        let start = row + range.lowerBound, n = range.count
        var peak = Float16x(repeating: -.infinity)
        var i = 0
        while i + 16 <= n { peak = pointwiseMax(peak, VectorMath.load(start + i)); i += 16 }
        var m = peak.max()
        while i < n { m = max(m, start[i]); i += 1 }
        var sum = Float16x()
        Elementwise.map(start, start, count: n) { v, j in
            let e = VectorMath.exp(v - m)
            // Lanes past the end of a short tail must not count.
            let valid = j + 16 <= n ? e : e.replacing(with: 0, where: SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) .>= Int32(n - j))
            sum += valid
            return e
        }
        let inv = 1 / sum.sum()
        Elementwise.map(start, start, count: n) { v, _ in v * inv }
        if range.lowerBound > 0 { row.update(repeating: 0, count: range.lowerBound) }
        if range.upperBound < width { (row + range.upperBound).update(repeating: 0, count: width - range.upperBound) }
    }
}
