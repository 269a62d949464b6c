/// Constants and fixed-size records of the model file (spec: `Formats/model-file.md`).
public enum ModelFileLayout {
    public static let magic: [UInt8] = Array("MBCMODEL".utf8)
    public static let versionMajor: UInt16 = 1
    /// 1.1 added the compiled tokenizer section (`TKBP`); 1.2 the quantization record (`QREC`) and
    /// quantization code 2 (smoothed int8). Older files stay valid.
    public static let versionMinor: UInt16 = 2
    public static let preambleSize = 64
    public static let sectionEntrySize = 48
    /// Every tensor starts at a multiple of this within the data section (cache line, AVX-512 register).
    public static let tensorAlignment = 64
    /// The data section starts on a page boundary so an mmap of the file hands out aligned weights.
    public static let dataAlignment = 4096

    public static func align(_ value: Int, to alignment: Int) -> Int {
        (value + alignment - 1) / alignment * alignment
    }
}

/// The kinds of section a model file holds, as four ASCII bytes.
public enum SectionKind: UInt32, Sendable, CaseIterable {
    /// ModelConfig as UTF-8 JSON.
    case config = 0x464E_4F43   // "CONF"
    /// Free-form provenance as UTF-8 JSON (converter version, source, weight dtype).
    case metadata = 0x4154_454D // "META"
    /// Hugging Face tokenizer.json.
    case tokenizer = 0x4E4B_4F54 // "TOKN"
    /// Hugging Face tokenizer_config.json.
    case tokenizerConfig = 0x4643_4B54 // "TKCF"
    /// The tokenizer.json compiled to id arrays, so loading it parses no 3.5 MB JSON (since 1.1).
    case compiledTokenizer = 0x5042_4B54 // "TKBP"
    /// How the file was quantized and the execution mode chosen for it, as JSON (since 1.2; `QuantizationRecord`).
    case quantizationRecord = 0x4345_5251 // "QREC"
    /// The tensor table.
    case tensors = 0x534E_4554  // "TENS"
    /// Tensor bytes; integrity is checked per tensor.
    case data = 0x4154_4144     // "DATA"

    public var name: String {
        withUnsafeBytes(of: rawValue.littleEndian) { String(decoding: $0, as: UTF8.self) }
    }
}

/// How a section's stored bytes are encoded.
public enum SectionEncoding: UInt32, Sendable {
    case raw = 0
    case zstd = 1
}

/// One entry of the section directory that follows the preamble.
public struct SectionEntry: Sendable, Equatable {
    public var kind: SectionKind
    public var encoding: SectionEncoding
    public var offset: UInt64
    public var storedLength: UInt64
    public var decodedLength: UInt64
    /// XXH3-64 of the stored bytes (0 for the data section, whose tensors carry their own).
    public var checksum: UInt64

    public init(kind: SectionKind, encoding: SectionEncoding, offset: UInt64, storedLength: UInt64,
                decodedLength: UInt64, checksum: UInt64) {
        self.kind = kind; self.encoding = encoding; self.offset = offset
        self.storedLength = storedLength; self.decodedLength = decodedLength; self.checksum = checksum
    }

    public func encode(into e: inout ByteEncoder) {
        e.u32(kind.rawValue); e.u32(encoding.rawValue); e.u64(offset)
        e.u64(storedLength); e.u64(decodedLength); e.u64(checksum); e.u64(0)
    }
}

/// The fixed 64-byte start of every model file.
public struct Preamble: Sendable, Equatable {
    public var sectionCount: UInt32
    public var fileLength: UInt64
    public var directoryChecksum: UInt64

    public init(sectionCount: UInt32, fileLength: UInt64, directoryChecksum: UInt64) {
        self.sectionCount = sectionCount; self.fileLength = fileLength; self.directoryChecksum = directoryChecksum
    }

    public func encode() -> [UInt8] {
        var e = ByteEncoder()
        e.raw(ModelFileLayout.magic)
        e.u16(ModelFileLayout.versionMajor); e.u16(ModelFileLayout.versionMinor)
        e.u32(sectionCount)
        e.u64(UInt64(ModelFileLayout.preambleSize))  // directory offset
        e.u64(fileLength)
        e.u64(directoryChecksum)
        e.raw([UInt8](repeating: 0, count: 16))
        let sum = Checksum.xxh3(e.bytes)
        e.u64(sum)
        return e.bytes
    }
}
