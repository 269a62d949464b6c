enum Softmax {
    /// Softmax over `row[range]`, zeroing the rest of a row of `width` values (masked positions).
    static func inPlace(_ row: UnsafeMutablePointer<Float>, range: Range<Int>, width: Int) {
        let start = row + range.lowerBound, n = range.count
        var peak = Float16x(repeating: -.infinity)
        var i = 0
        while i + 16 <= n { peak = VectorMath.maximum(peak, VectorMath.load(start + i)); i += 16 }
        var m = peak.max()
        while i < n { m = max(m, start[i]); i += 1 }
        Elementwise.map(start, start, count: n) { v, _ in VectorMath.exp(v - m) }
        var sums = Float16x()
        i = 0
        while i + 16 <= n { sums += VectorMath.load(start + i); i += 16 }
        var sum = sums.sum()
        while i < n { sum += start[i]; i += 1 }
        let inv = 1 / sum
        Elementwise.map(start, start, count: n) { v, _ in v * inv }
        if range.lowerBound > 0 { row.update(repeating: 0, count: range.lowerBound) }
        if range.upperBound < width { (row + range.upperBound).update(repeating: 0, count: width - range.upperBound) }
    }
}
