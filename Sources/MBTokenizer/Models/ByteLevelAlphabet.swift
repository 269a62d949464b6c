/// GPT-2's reversible mapping between bytes and printable Unicode scalars.
///
/// Byte-level BPE vocabularies store tokens as strings in which every byte is shown as a
/// visible character (space becomes "Ġ", newline "Ċ"). Printable Latin-1 bytes stand for
/// themselves; the other 68 bytes are moved, in order, to U+0100 and up. We convert the
/// vocabulary back to raw bytes once at load time so that encoding never builds strings.
enum ByteLevelAlphabet {
    /// `scalarForByte[b]` is the vocabulary character standing for byte `b`.
    static let scalarForByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            let printable = (33...126).contains(b) || (161...172).contains(b) || (174...255).contains(b)
            if printable {
                table[b] = UInt32(b)
            } else {
                table[b] = next
                next += 1
            }
        }
        return table
    }()

    /// The byte a vocabulary character stands for, or `nil` if it is not part of the alphabet.
    static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let v = scalar.value
        if v < 256 {
            return scalarForByte[Int(v)] == v ? UInt8(v) : nil
        }
        if v < 256 + 68 {
            return byteForShiftedScalar[Int(v - 256)]
        }
        return nil
    }

    private static let byteForShiftedScalar: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 68)
        for b in 0..<256 where scalarForByte[b] >= 256 {
            table[Int(scalarForByte[b] - 256)] = UInt8(b)
        }
        return table
    }()

    /// Converts a vocabulary string to the bytes it stands for, or `nil` if any character
    /// is outside the alphabet (such strings are added tokens written literally).
    static func bytes(of token: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(token.unicodeScalars.count)
        for s in token.unicodeScalars {
            guard let b = byte(for: s) else { return nil }
            out.append(b)
        }
        return out
    }
}
