import Foundation

/// Unicode normalization (NFC, NFD, NFKC, NFKD) that keeps the alignment to the original text the
/// way Hugging Face `tokenizers` reports it.
///
/// The normalized text comes from Foundation, but only for the short runs that might change: a
/// scalar that is stable under the form, a starter, and never composes with what precedes it
/// (ASCII, CJK ideographs, and for the composing forms kana and Hangul syllables) splits the text
/// into independent runs, and a run that Foundation leaves unchanged is copied with its alignment.
///
/// For a run that changes, the alignment reproduces the bookkeeping of the reference's
/// `unicode-normalization-alignments` crate step by step (``UnicodeAlignment``): decomposition
/// marks the extra scalars as insertions, canonical reordering carries those marks along, and
/// composition folds the marks of the absorbed scalars into the composite. So "e\u{301}" becomes
/// "é" aligned with the "e" only, and a scalar that decomposition adds shares the range of the
/// scalar before it.
struct UnicodeNormalizer: Sendable {
    enum Form: Sendable {
        case nfc, nfd, nfkc, nfkd

        var composes: Bool { self == .nfc || self == .nfkc }
        var compatibility: Bool { self == .nfkc || self == .nfkd }
    }

    let form: Form

    func normalize(_ piece: inout NormalizedPiece) {
        let n = piece.scalars.count
        let firstActive = piece.scalars.withUnsafeBufferPointer { s -> Int? in
            for i in 0..<n where !isInert(s[i]) { return i }
            return nil
        }
        guard let firstActive else { return }
        // A run starts at the inert scalar before the first active one (it may compose with it).
        let start = firstActive > 0 ? firstActive - 1 : 0
        var transform = PieceTransform(piece, capacity: n + 8)
        transform.copy(start)
        var i = start
        var changed = false
        while i < n {
            var j = i + 1
            while j < n, !isInert(piece.scalars[j]) { j += 1 }
            if j - i == 1 && isInert(piece.scalars[i]) {
                transform.copy(1)
            } else {
                let input = Array(piece.scalars[i..<j])
                let output = UnicodeAlignment.foundation(form, input)
                if output == input && !(form.composes && UnicodeAlignment.hasTrailingJamo(input[...])) {
                    transform.copy(j - i)
                } else {
                    changed = true
                    for (scalar, change) in UnicodeAlignment.stream(form, input) {
                        transform.emit(scalar, change: change)
                    }
                }
            }
            i = j
        }
        if changed { piece = transform.finish() }
    }

    /// Scalars that are stable under the form, starters, and never the second half of a
    /// composition, so normalization never looks across them.
    @inline(__always)
    func isInert(_ v: UInt32) -> Bool {
        switch form {
        case .nfc:
            return v < 0x300 || (0x4E00...0x9FFF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0x3041...0x3096).contains(v) || (0x30A1...0x30FA).contains(v)
        case .nfkc:
            // Latin-1 above 0x9F and Latin Extended hold compatibility characters (NBSP,
            // superscripts, fractions, ligatures such as U+0132, U+01C4-U+01CC, U+01F1-U+01F3).
            if v < 0x250 {
                guard v >= 0xC0 else { return v < 0xA0 }
                switch v {
                case 0x132, 0x133, 0x13F, 0x140, 0x149, 0x17F, 0x1C4...0x1CC, 0x1F1...0x1F3: return false
                default: return true
                }
            }
            return (0x4E00...0x9FFF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0x3041...0x3096).contains(v) || (0x30A1...0x30FA).contains(v)
        case .nfd:
            // Hangul syllables and kana with voicing marks decompose.
            return v < 0xC0 || (0x4E00...0x9FFF).contains(v)
        case .nfkd:
            return v < 0xA0 || (0x4E00...0x9FFF).contains(v)
        }
    }
}

/// The reference's normalization stream, `(scalar, change)` per output scalar, for one run.
enum UnicodeAlignment {
    static func string(_ scalars: [UInt32]) -> String {
        var view = String.UnicodeScalarView()
        for v in scalars { if let s = Unicode.Scalar(v) { view.append(s) } }
        return String(view)
    }

    static func foundation(_ form: UnicodeNormalizer.Form, _ input: [UInt32]) -> [UInt32] {
        let text = string(input)
        let result: String
        switch form {
        case .nfc: result = text.precomposedStringWithCanonicalMapping
        case .nfd: result = text.decomposedStringWithCanonicalMapping
        case .nfkc: result = text.precomposedStringWithCompatibilityMapping
        case .nfkd: result = text.decomposedStringWithCompatibilityMapping
        }
        return result.unicodeScalars.map(\.value)
    }

    static func ccc(_ v: UInt32) -> UInt8 {
        Unicode.Scalar(v).map { $0.properties.canonicalCombiningClass.rawValue } ?? 0
    }

    /// Full decomposition of one scalar (canonical or compatibility).
    static func decompose(_ v: UInt32, compatibility: Bool) -> [UInt32] {
        guard let scalar = Unicode.Scalar(v) else { return [v] }
        let text = String(Character(scalar))
        let result = compatibility ? text.decomposedStringWithCompatibilityMapping : text.decomposedStringWithCanonicalMapping
        return result.unicodeScalars.map(\.value)
    }

    /// The primary composite of `a` followed by `b`, if any.
    static func compose(_ a: UInt32, _ b: UInt32) -> UInt32? {
        if let hangul = composeHangul(a, b) { return hangul }
        let result = string([a, b]).precomposedStringWithCanonicalMapping.unicodeScalars
        guard result.count == 1 else { return nil }
        return result.first!.value
    }

    /// Hangul composition by arithmetic (Unicode 3.12): L + V gives an LV syllable, LV + T an LVT one.
    /// Foundation on Linux leaves a precomposed LV syllable followed by a T jamo uncomposed (it
    /// composes the three jamo), which the reference does compose.
    static func composeHangul(_ a: UInt32, _ b: UInt32) -> UInt32? {
        if (0x1100..<0x1113).contains(a), (0x1161..<0x1176).contains(b) {
            return 0xAC00 + ((a - 0x1100) * 21 + (b - 0x1161)) * 28
        }
        if (0xAC00..<0xD7A4).contains(a), (a - 0xAC00) % 28 == 0, (0x11A8..<0x11C3).contains(b) {
            return a + (b - 0x11A7)
        }
        return nil
    }

    /// Whether the run holds a trailing jamo, which may compose with a precomposed syllable where
    /// Foundation does not (``composeHangul(_:_:)``).
    static func hasTrailingJamo(_ scalars: ArraySlice<UInt32>) -> Bool {
        scalars.contains { (0x11A8..<0x11C3).contains($0) }
    }

    /// The crate's `Decompositions` then, for the composing forms, `Recompositions` iterators.
    static func stream(_ form: UnicodeNormalizer.Form, _ input: [UInt32]) -> [(UInt32, Int)] {
        // Decomposition: the first scalar of each decomposition replaces its source (0), the others
        // are insertions (+1); a starter closes the pending block, which is sorted stably by class.
        var buffer: [(ccc: UInt8, scalar: UInt32, change: Int)] = []
        var readyEnd = 0
        func sortPending() {
            if buffer.count - readyEnd > 1 {
                let sorted = buffer[readyEnd...].enumerated().sorted { ($0.element.ccc, $0.offset) < ($1.element.ccc, $1.offset) }
                buffer.replaceSubrange(readyEnd..., with: sorted.map(\.element))
            }
            readyEnd = buffer.count
        }
        for v in input {
            for (k, d) in decompose(v, compatibility: form.compatibility).enumerated() {
                let cls = ccc(d)
                if cls == 0 { sortPending() }
                buffer.append((cls, d, k == 0 ? 0 : 1))
            }
        }
        sortPending()
        let decomposed = buffer.map { ($0.scalar, $0.change) }
        return form.composes ? recompose(decomposed) : decomposed
    }

    /// The crate's `Recompositions`: a composite's change is the sum of its parts' minus one per
    /// absorbed scalar; blocked marks wait in a buffer and follow their starter.
    private static func recompose(_ stream: [(UInt32, Int)]) -> [(UInt32, Int)] {
        var out: [(UInt32, Int)] = []
        var buffer: [(UInt32, Int)] = []
        var composee: (UInt32, Int)?
        var lastClass: UInt8?
        for (ch, change) in stream {
            let cls = ccc(ch)
            guard let k = composee else {
                if cls != 0 { out.append((ch, change)) } else { composee = (ch, change) }
                continue
            }
            if let last = lastClass {
                if last >= cls {
                    if cls == 0 {
                        composee = (ch, change)
                        lastClass = nil
                        out.append(k)
                        out.append(contentsOf: buffer)
                        buffer.removeAll()
                    } else {
                        buffer.append((ch, change))
                        lastClass = cls
                    }
                    continue
                }
                if let r = compose(k.0, ch) {
                    composee = (r, k.1 + change - 1)
                } else {
                    buffer.append((ch, change))
                    lastClass = cls
                }
            } else if let r = compose(k.0, ch) {
                composee = (r, k.1 + change - 1)
            } else if cls == 0 {
                composee = (ch, change)
                out.append(k)
            } else {
                buffer.append((ch, change))
                lastClass = cls
            }
        }
        if let k = composee { out.append(k) }
        out.append(contentsOf: buffer)
        return out
    }
}
