/// The four classes the GPT-2 split pattern distinguishes.
///
/// The pattern only asks "is it a letter (\p{L}), a number (\p{N}), whitespace (\s) or
/// something else"; answering that from a table avoids both a regex engine and the
/// relatively slow `Unicode.Scalar.Properties` lookups in the hot loop.
enum ScalarClass: UInt8 {
    case letter = 0
    case number = 1
    case whitespace = 2
    case other = 3

    /// Classes of the Basic Multilingual Plane, computed once (64 KiB, a few milliseconds).
    private static let bmp: [ScalarClass] = {
        var table = [ScalarClass](repeating: .other, count: 0x10000)
        for v in 0..<0x10000 {
            if let scalar = Unicode.Scalar(UInt32(v)) {
                table[v] = compute(scalar)
            }
        }
        return table
    }()

    /// `\s` in the Oniguruma and Rust regex engines is the Unicode White_Space property;
    /// `\p{L}` and `\p{N}` are the L* and N* general categories.
    private static func compute(_ scalar: Unicode.Scalar) -> ScalarClass {
        let props = scalar.properties
        if props.isWhitespace { return .whitespace }
        switch props.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }

    @inline(__always)
    static func of(_ value: UInt32) -> ScalarClass {
        if value < 0x10000 {
            return bmp.withUnsafeBufferPointer { $0[Int(value)] }
        }
        guard let scalar = Unicode.Scalar(value) else { return .other }
        return compute(scalar)
    }
}
