import Foundation

/// Unicode NFC with an alignment from normalized scalars back to original ones.
///
/// Composition is delegated to Foundation (`precomposedStringWithCanonicalMapping`), but only
/// for the short runs that might change: a scalar below U+0300 never composes with what
/// precedes it and is itself NFC-stable, so such scalars (and CJK ideographs, kana, Hangul
/// syllables) split the text into independent runs, and a run made only of them is copied.
///
/// The alignment reproduces what Hugging Face `tokenizers` reports: a composed scalar maps to
/// the first original scalar it absorbed (so "e\u{301}" becomes "é" with offsets covering
/// only the "e"), and a scalar produced by decomposition (U+0958 becomes two scalars) maps
/// to the same original scalar as the one before it.
struct NFCNormalizer: Sendable {
    func normalize(_ text: UnsafeBufferPointer<UInt32>, _ range: Range<Int>) -> NormalizedPiece {
        var needsWork = false
        for i in range where text[i] >= 0x300 {
            needsWork = true
            break
        }
        if !needsWork {
            return NormalizedPiece(scalars: Array(text[range]), origin: [], base: range.lowerBound)
        }
        var scalars: [UInt32] = []
        scalars.reserveCapacity(range.count)
        var origin: [Int32] = []
        origin.reserveCapacity(range.count)
        var changed = false
        var i = range.lowerBound
        while i < range.upperBound {
            // A run starts anywhere and ends before the next boundary scalar.
            var j = i + 1
            while j < range.upperBound, !Self.isBoundary(text[j]) { j += 1 }
            if j - i == 1 && Self.isBoundary(text[i]) {
                scalars.append(text[i])
                origin.append(Int32(i))
            } else if Self.composeRun(text, i..<j, into: &scalars, origin: &origin) {
                changed = true
            }
            i = j
        }
        if !changed {
            return NormalizedPiece(scalars: scalars, origin: [], base: range.lowerBound)
        }
        return NormalizedPiece(scalars: scalars, origin: origin, base: range.lowerBound)
    }

    /// Scalars that are NFC-stable starters and never the second half of a composition,
    /// so normalization never looks across them.
    @inline(__always)
    static func isBoundary(_ v: UInt32) -> Bool {
        v < 0x300 || (0x4E00...0x9FFF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0x3041...0x3096).contains(v) || (0x30A1...0x30FA).contains(v)
    }

    /// Appends NFC of `text[run]`; returns whether it differed from the input.
    private static func composeRun(_ text: UnsafeBufferPointer<UInt32>, _ run: Range<Int>,
                                   into scalars: inout [UInt32], origin: inout [Int32]) -> Bool {
        let input = Array(text[run])
        let output = nfc(input)
        if output == input {
            scalars.append(contentsOf: input)
            origin.append(contentsOf: run.map { Int32($0) })
            return false
        }
        scalars.append(contentsOf: output)
        origin.append(contentsOf: align(input: input, firstIndex: run.lowerBound, output: output))
        return true
    }

    private static func nfc(_ input: [UInt32]) -> [UInt32] {
        var view = String.UnicodeScalarView()
        for v in input { view.append(Unicode.Scalar(v)!) }
        return String(view).precomposedStringWithCanonicalMapping.unicodeScalars.map(\.value)
    }

    private static func nfd(_ v: UInt32) -> [UInt32] {
        String(Character(Unicode.Scalar(v)!)).decomposedStringWithCanonicalMapping.unicodeScalars.map(\.value)
    }

    /// Emulates the change bookkeeping of `unicode-normalization-alignments`: decomposition
    /// marks extra scalars as insertions (+1), canonical reordering carries marks along, and
    /// composition folds the marks of absorbed scalars into the composite, minus one per
    /// absorbed scalar. The marks are then replayed against the original scalars in order.
    private static func align(input: [UInt32], firstIndex: Int, output: [UInt32]) -> [Int32] {
        var stream: [(scalar: UInt32, change: Int)] = []
        for v in input {
            for (k, d) in nfd(v).enumerated() { stream.append((d, k == 0 ? 0 : 1)) }
        }
        // Canonical ordering: stable sort of each run of non-starters by combining class.
        var s = 0
        while s < stream.count {
            guard ccc(stream[s].scalar) != 0 else { s += 1; continue }
            var e = s
            while e < stream.count, ccc(stream[e].scalar) != 0 { e += 1 }
            let sorted = stream[s..<e].enumerated().sorted {
                (ccc($0.element.scalar), $0.offset) < (ccc($1.element.scalar), $1.offset)
            }.map(\.element)
            stream.replaceSubrange(s..<e, with: sorted)
            s = e
        }
        var result: [Int32] = []
        result.reserveCapacity(output.count)
        var consumed = 0 // position in `stream`
        var next = 0 // next original scalar
        for y in output {
            let width = max(1, nfd(y).count)
            var change = -(width - 1)
            for k in consumed..<min(consumed + width, stream.count) { change += stream[k].change }
            consumed += width
            if change > 0 {
                result.append(Int32(firstIndex + max(0, next - 1)))
            } else {
                let index = min(next, input.count - 1)
                result.append(Int32(firstIndex + index))
                next += 1 - change
            }
        }
        return result
    }

    private static func ccc(_ v: UInt32) -> UInt8 {
        Unicode.Scalar(v).map { $0.properties.canonicalCombiningClass.rawValue } ?? 0
    }
}
