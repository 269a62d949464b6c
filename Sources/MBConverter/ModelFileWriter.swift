import Foundation
import MBFormat
import MBTokenizer

/// A tensor waiting to be written: its table entry and a way to produce its bytes.
///
/// Producers are called twice (once to checksum, once to write) so that the header, which comes
/// first in the file, can carry every checksum while only one tensor is in memory at a time.
public struct PendingTensor {
    public var record: TensorRecord
    public var bytes: () throws -> [UInt8]
    public var scales: (() throws -> [Float])?

    public init(record: TensorRecord, bytes: @escaping () throws -> [UInt8], scales: (() throws -> [Float])? = nil) {
        self.record = record
        self.bytes = bytes
        self.scales = scales
    }
}

/// Writes the model file format (`Formats/model-file.md`) atomically: a failed or interrupted
/// write leaves any existing file at the destination untouched.
public struct ModelFileWriter {
    public var config: ModelConfig
    public var metadata: [String: String]
    public var tokenizerJSON: [UInt8]?
    public var tokenizerConfigJSON: [UInt8]?
    public var tensors: [PendingTensor]
    /// What int8 quantization measured and chose (`QREC`); nil for files that are not int8.
    public var quantizationRecord: QuantizationRecord?
    /// How the compiled tokenizer (`TKBP`) is stored: zstd (the default since format 1.2; layout version 3),
    /// or raw as format 1.1 wrote it (layout version 2, first after the directory, so its arrays are
    /// aligned in a mapping).
    public var compiledTokenizerEncoding: SectionEncoding = .zstd

    public init(config: ModelConfig, metadata: [String: String], tokenizerJSON: [UInt8]?,
                tokenizerConfigJSON: [UInt8]?, tensors: [PendingTensor], quantizationRecord: QuantizationRecord? = nil) {
        self.config = config; self.metadata = metadata; self.tokenizerJSON = tokenizerJSON
        self.tokenizerConfigJSON = tokenizerConfigJSON; self.tensors = tensors; self.quantizationRecord = quantizationRecord
    }

    /// - Parameters:
    ///   - inputs: files the tensors are read from; writing over one of them is refused.
    ///   - progress: called after each tensor is written with (done, total).
    /// - Returns: the number of bytes written.
    @discardableResult
    public func write(to url: URL, refusingInputs inputs: [URL] = [],
                      progress: ((Int, Int) -> Void)? = nil) throws -> Int {
        // Pass 1: lay out the data section and checksum every tensor.
        var records: [TensorRecord] = []
        var cursor = 0
        for pending in tensors {
            var r = pending.record
            let bytes = try pending.bytes()
            guard bytes.count == r.elementCount * r.dtype.size else {
                throw ConversionError.unreadable(path: url.path, why: "tensor \(r.name) produced \(bytes.count) bytes, expected \(r.elementCount * r.dtype.size)")
            }
            r.offset = UInt64(cursor); r.length = UInt64(bytes.count); r.checksum = Checksum.xxh3(bytes)
            cursor = ModelFileLayout.align(cursor + bytes.count, to: ModelFileLayout.tensorAlignment)
            if let scales = try pending.scales?() {
                let raw = scales.withUnsafeBytes { Array($0) }
                r.scaleOffset = UInt64(cursor); r.scaleLength = UInt64(raw.count); r.scaleChecksum = Checksum.xxh3(raw)
                cursor = ModelFileLayout.align(cursor + raw.count, to: ModelFileLayout.tensorAlignment)
            }
            records.append(r)
        }
        let dataLength = cursor

        // Text sections, then the directory that points at them.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        var texts: [(SectionKind, SectionEncoding, [UInt8], Int)] = [
            (.config, .raw, Array(try encoder.encode(config)), 0),
            (.metadata, .raw, Array(try encoder.encode(metadata)), 0),
        ]
        if let quantizationRecord { texts.append((.quantizationRecord, .raw, Array(try encoder.encode(quantizationRecord)), 0)) }
        if let tokenizerJSON {
            texts.append((.tokenizer, .zstd, try Zstd.compress(tokenizerJSON), tokenizerJSON.count))
            // Compressed like TOKN, in the layout made for it (version 3: 727 KB -> ~350 KB stored for
            // ModernBERT's vocabulary); readers decode it once at load (Docs/tokenizer.md). Raw keeps
            // version 2, whose aligned arrays are what makes a raw section usable in place.
            let layout: Tokenizer.CompiledLayout = compiledTokenizerEncoding == .zstd ? .compact : .aligned
            if let compiled = Self.compiledTokenizer(tokenizerJSON, layout: layout) {
                switch compiledTokenizerEncoding {
                case .zstd: texts.append((.compiledTokenizer, .zstd, try Zstd.compress(compiled), compiled.count))
                case .raw: texts.insert((.compiledTokenizer, .raw, compiled, 0), at: 0)
                }
            }
        }
        if let tokenizerConfigJSON { texts.append((.tokenizerConfig, .zstd, try Zstd.compress(tokenizerConfigJSON), tokenizerConfigJSON.count)) }
        texts.append((.tensors, .raw, TensorRecord.encodeTable(records), 0))

        let sectionCount = texts.count + 1
        var offset = ModelFileLayout.preambleSize + sectionCount * ModelFileLayout.sectionEntrySize
        var entries: [SectionEntry] = []
        for (kind, encoding, stored, decoded) in texts {
            entries.append(SectionEntry(kind: kind, encoding: encoding, offset: UInt64(offset), storedLength: UInt64(stored.count),
                                        decodedLength: UInt64(encoding == .raw ? stored.count : decoded), checksum: Checksum.xxh3(stored)))
            offset += stored.count
        }
        let headerEnd = offset
        let dataOffset = ModelFileLayout.align(headerEnd, to: ModelFileLayout.dataAlignment)
        entries.append(SectionEntry(kind: .data, encoding: .raw, offset: UInt64(dataOffset), storedLength: UInt64(dataLength),
                                    decodedLength: UInt64(dataLength), checksum: 0))
        var directory = ByteEncoder()
        for e in entries { e.encode(into: &directory) }
        let fileLength = dataOffset + dataLength
        let preamble = Preamble(sectionCount: UInt32(sectionCount), fileLength: UInt64(fileLength),
                                directoryChecksum: Checksum.xxh3(directory.bytes))

        // Pass 2: stream everything out.
        try writeAtomically(to: url, refusingInputs: inputs) { out in
            try out.write(preamble.encode())
            try out.write(directory.bytes)
            for (_, _, stored, _) in texts { try out.write(stored) }
            try out.write(zeros: dataOffset - headerEnd)
            for (index, pending) in tensors.enumerated() {
                let r = records[index]
                try padTo(dataOffset + Int(r.offset), out)
                let bytes = try pending.bytes()
                guard Checksum.xxh3(bytes) == r.checksum else {
                    throw ConversionError.unreadable(path: url.path, why: "tensor \(r.name) changed while being written")
                }
                try out.write(bytes)
                if let scales = try pending.scales?() {
                    try padTo(dataOffset + Int(r.scaleOffset), out)
                    try scales.withUnsafeBytes { try out.write($0) }
                }
                progress?(index + 1, tensors.count)
            }
            try padTo(fileLength, out)
        }
        return fileLength
    }

    /// The compiled form of a tokenizer.json, or nil when this build cannot load that file (an
    /// unsupported component): the original is stored anyway, and loading it reports the problem
    /// when a text command needs the tokenizer, as before the compiled form existed.
    static func compiledTokenizer(_ json: [UInt8], layout: Tokenizer.CompiledLayout) -> [UInt8]? {
        do {
            return try Tokenizer.compile(jsonData: Data(json), layout: layout)
        } catch {
            return nil
        }
    }

    private func padTo(_ position: Int, _ out: BufferedFileWriter) throws {
        precondition(out.position <= position, "model file layout went backwards")
        try out.write(zeros: position - out.position)
    }
}
