/// General categories and the few binary properties the regex classes ask about, from a table over
/// the Basic Multilingual Plane built once (64 KiB) so that matching never calls into
/// `Unicode.Scalar.Properties` for common text.
enum UnicodeCategory {
    /// Category indices, in the order of `Unicode.GeneralCategory`'s two-letter names.
    static let lu = 0, ll = 1, lt = 2, lm = 3, lo = 4, mn = 5, mc = 6, me = 7, nd = 8, nl = 9, no = 10
    static let pc = 11, pd = 12, ps = 13, pe = 14, pi = 15, pf = 16, po = 17, sm = 18, sc = 19, sk = 20, so = 21
    static let zs = 22, zl = 23, zp = 24, cc = 25, cf = 26, cs = 27, co = 28, cn = 29

    static func mask(_ categories: Int...) -> UInt64 { categories.reduce(0) { $0 | 1 << UInt64($1) } }
    static let letters = mask(lu, ll, lt, lm, lo)
    static let marks = mask(mn, mc, me)
    static let numbers = mask(nd, nl, no)
    static let punctuation = mask(pc, pd, ps, pe, pi, pf, po)
    static let symbols = mask(sm, sc, sk, so)
    static let separators = mask(zs, zl, zp)
    static let others = mask(cc, cf, cs, co, cn)

    private static let alphabeticBit: UInt8 = 0x40
    private static let whitespaceBit: UInt8 = 0x80

    /// Category index in the low 5 bits, Alphabetic and White_Space flags above.
    private static let bmp: [UInt8] = {
        var table = [UInt8](repeating: UInt8(cn), count: 0x10000)
        for v in 0..<0x10000 {
            if let scalar = Unicode.Scalar(UInt32(v)) { table[v] = compute(scalar) }
        }
        return table
    }()

    private static func compute(_ scalar: Unicode.Scalar) -> UInt8 {
        let props = scalar.properties
        var entry = UInt8(index(props.generalCategory))
        if props.isAlphabetic { entry |= alphabeticBit }
        if props.isWhitespace { entry |= whitespaceBit }
        return entry
    }

    @inline(__always)
    private static func entry(_ v: UInt32) -> UInt8 {
        if v < 0x10000 { return bmp.withUnsafeBufferPointer { $0[Int(v)] } }
        guard let scalar = Unicode.Scalar(v) else { return UInt8(cn) }
        return compute(scalar)
    }

    @inline(__always)
    static func category(_ v: UInt32) -> Int { Int(entry(v) & 0x1F) }

    @inline(__always)
    static func isAlphabetic(_ v: UInt32) -> Bool { entry(v) & alphabeticBit != 0 }

    @inline(__always)
    static func isWhitespace(_ v: UInt32) -> Bool {
        if v < 0x80 { return v == 0x20 || (0x09...0x0D).contains(v) }
        return entry(v) & whitespaceBit != 0
    }

    /// Oniguruma's `\w`: Alphabetic, marks, decimal digits, connector punctuation.
    @inline(__always)
    static func isOnigurumaWord(_ v: UInt32) -> Bool {
        if v < 0x80 {
            return (0x30...0x39).contains(v) || (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) || v == 0x5F
        }
        let e = entry(v)
        return e & alphabeticBit != 0 || mask(mn, mc, me, nd, pc) & (1 << UInt64(e & 0x1F)) != 0
    }

    static func index(_ category: Unicode.GeneralCategory) -> Int {
        switch category {
        case .uppercaseLetter: return lu
        case .lowercaseLetter: return ll
        case .titlecaseLetter: return lt
        case .modifierLetter: return lm
        case .otherLetter: return lo
        case .nonspacingMark: return mn
        case .spacingMark: return mc
        case .enclosingMark: return me
        case .decimalNumber: return nd
        case .letterNumber: return nl
        case .otherNumber: return no
        case .connectorPunctuation: return pc
        case .dashPunctuation: return pd
        case .openPunctuation: return ps
        case .closePunctuation: return pe
        case .initialPunctuation: return pi
        case .finalPunctuation: return pf
        case .otherPunctuation: return po
        case .mathSymbol: return sm
        case .currencySymbol: return sc
        case .modifierSymbol: return sk
        case .otherSymbol: return so
        case .spaceSeparator: return zs
        case .lineSeparator: return zl
        case .paragraphSeparator: return zp
        case .control: return cc
        case .format: return cf
        case .surrogate: return cs
        case .privateUse: return co
        case .unassigned: return cn
        @unknown default: return cn
        }
    }

    /// Category masks by the names Oniguruma accepts in `\p{...}` (short and long forms,
    /// compared after removing spaces, hyphens and underscores and lowercasing).
    static let namedMasks: [String: UInt64] = {
        var names: [String: UInt64] = [
            "l": letters, "letter": letters, "lc": mask(lu, ll, lt), "casedletter": mask(lu, ll, lt),
            "m": marks, "mark": marks, "combiningmark": marks, "n": numbers, "number": numbers,
            "p": punctuation, "punctuation": punctuation, "punct": punctuation,
            "s": symbols, "symbol": symbols, "z": separators, "separator": separators, "c": others, "other": others,
        ]
        let single: [(String, String, Int)] = [
            ("lu", "uppercaseletter", lu), ("ll", "lowercaseletter", ll), ("lt", "titlecaseletter", lt),
            ("lm", "modifierletter", lm), ("lo", "otherletter", lo), ("mn", "nonspacingmark", mn),
            ("mc", "spacingmark", mc), ("me", "enclosingmark", me), ("nd", "decimalnumber", nd),
            ("nl", "letternumber", nl), ("no", "othernumber", no), ("pc", "connectorpunctuation", pc),
            ("pd", "dashpunctuation", pd), ("ps", "openpunctuation", ps), ("pe", "closepunctuation", pe),
            ("pi", "initialpunctuation", pi), ("pf", "finalpunctuation", pf), ("po", "otherpunctuation", po),
            ("sm", "mathsymbol", sm), ("sc", "currencysymbol", sc), ("sk", "modifiersymbol", sk),
            ("so", "othersymbol", so), ("zs", "spaceseparator", zs), ("zl", "lineseparator", zl),
            ("zp", "paragraphseparator", zp), ("cc", "control", cc), ("cf", "format", cf), ("cs", "surrogate", cs),
            ("co", "privateuse", co), ("cn", "unassigned", cn),
        ]
        for (short, long, index) in single {
            names[short] = 1 << UInt64(index)
            names[long] = 1 << UInt64(index)
        }
        names["digit"] = 1 << UInt64(nd)
        names["cntrl"] = 1 << UInt64(cc)
        return names
    }()
}
