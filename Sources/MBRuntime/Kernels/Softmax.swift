import Foundation

enum Softmax {
    /// Softmax over `row[range]`, zeroing the rest of a row of `width` values (masked positions).
    static func inPlace(_ row: UnsafeMutablePointer<Float>, range: Range<Int>, width: Int) {
        var peak = -Float.infinity
        for j in range { peak = max(peak, row[j]) }
        var sum: Float = 0
        for j in range { let e = expf(row[j] - peak); row[j] = e; sum += e }
        let inv = 1 / sum
        for j in range { row[j] *= inv }
        for j in 0..<range.lowerBound { row[j] = 0 }
        for j in range.upperBound..<width { row[j] = 0 }
    }
}
