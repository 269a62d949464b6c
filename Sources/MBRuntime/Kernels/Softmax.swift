enum Softmax {
    /// Softmax over `row[range]`, zeroing the rest of a row of `width` values (masked positions).
    static func inPlace(_ row: UnsafeMutablePointer<Float>, range: Range<Int>, width: Int) {
        let start = row + range.lowerBound, n = range.count
        var peak = Float16x(repeating: -.infinity)
        var i = 0
        while i + 16 <= n { peak = VectorMath.maximum(peak, VectorMath.load(start + i)); i += 16 }
        var m = peak.max()
        while i < n { m = max(m, start[i]); i += 1 }
        // Loops written out, not closures: see Elementwise. The tail goes through the same vector
        // exp on a -inf padded copy.
        var sums = Float16x()
        i = 0
        while i + 16 <= n {
            let e = VectorMath.exp(VectorMath.load(start + i) - m)
            VectorMath.store(e, start + i)
            sums += e
            i += 16
        }
        var sum = sums.sum()
        if i < n {
            var tail = Float16x(repeating: -.infinity)
            for j in 0..<(n - i) { tail[j] = start[i + j] }
            let e = VectorMath.exp(tail - m)
            for j in 0..<(n - i) { start[i + j] = e[j]; sum += e[j] }
        }
        let inv = 1 / sum
        i = 0
        while i + 16 <= n { VectorMath.store(VectorMath.load(start + i) * inv, start + i); i += 16 }
        while i < n { start[i] *= inv; i += 1 }
        if range.lowerBound > 0 { row.update(repeating: 0, count: range.lowerBound) }
        if range.upperBound < width { (row + range.upperBound).update(repeating: 0, count: width - range.upperBound) }
    }
}
