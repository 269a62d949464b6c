import Foundation

/// Everything in a model file except the tensor bytes, decoded and checked.
///
/// Decoding verifies the preamble, the section directory and the checksum of every section except
/// the data, so a corrupted header or table never reaches the runtime. Tensor bytes are verified
/// on demand (`mbconvert inspect --verify`), because hashing them costs a full read of the file.
public struct ModelFileHeader: Sendable {
    /// The minor format version the file was written with (readers accept any minor of their major).
    public var versionMinor: UInt16
    public var sections: [SectionEntry]
    public var config: ModelConfig
    public var tensors: [TensorRecord]
    /// Absolute offset of the data section in the file.
    public var dataOffset: Int
    public var dataLength: Int

    public func section(_ kind: SectionKind) -> SectionEntry? { sections.first { $0.kind == kind } }

    /// Decodes the header of a whole file mapped at `file`.
    /// - Parameter path: used only in error messages.
    public static func decode(_ file: UnsafeRawBufferPointer, path: String) throws -> ModelFileHeader {
        guard file.count >= ModelFileLayout.preambleSize,
              Array(file[0..<8]) == ModelFileLayout.magic else { throw FormatError.notAModelFile(path: path) }
        var d = ByteDecoder(UnsafeRawBufferPointer(rebasing: file[0..<ModelFileLayout.preambleSize])) {
            .malformed(path: path, what: "short preamble")
        }
        _ = try d.bytes(8)
        let major = try d.u16(), minor = try d.u16()
        guard major == ModelFileLayout.versionMajor else { throw FormatError.unsupportedVersion(path: path, major: major, minor: minor) }
        let sectionCount = Int(try d.u32())
        let directoryOffset = try d.u64()
        let fileLength = try d.u64()
        let directoryChecksum = try d.u64()
        _ = try d.bytes(16)
        let preambleChecksum = try d.u64()
        guard Checksum.xxh3(UnsafeRawBufferPointer(rebasing: file[0..<56])) == preambleChecksum else {
            throw FormatError.checksumMismatch(path: path, what: "the preamble")
        }
        guard fileLength == UInt64(file.count) else {
            if fileLength > UInt64(file.count) {
                throw FormatError.truncated(path: path, expected: fileLength, actual: UInt64(file.count))
            }
            throw FormatError.malformed(path: path, what: "file has \(UInt64(file.count) - fileLength) bytes after its end")
        }
        guard directoryOffset == UInt64(ModelFileLayout.preambleSize), sectionCount <= 64 else {
            throw FormatError.malformed(path: path, what: "section directory is out of place")
        }
        let directoryEnd = ModelFileLayout.preambleSize + sectionCount * ModelFileLayout.sectionEntrySize
        guard directoryEnd <= file.count else { throw FormatError.truncated(path: path, expected: UInt64(directoryEnd), actual: UInt64(file.count)) }
        let directory = UnsafeRawBufferPointer(rebasing: file[ModelFileLayout.preambleSize..<directoryEnd])
        guard Checksum.xxh3(directory) == directoryChecksum else {
            throw FormatError.checksumMismatch(path: path, what: "the section directory")
        }
        let (sections, unknown) = try decodeDirectory(directory, count: sectionCount, fileLength: file.count, path: path)
        for s in sections where s.kind != .data {
            guard Checksum.xxh3(bytes(of: s, in: file)) == s.checksum else {
                throw FormatError.checksumMismatch(path: path, what: "the \(s.kind.name) section")
            }
        }
        for u in unknown {
            guard Checksum.xxh3(UnsafeRawBufferPointer(rebasing: file[u.range])) == u.checksum else {
                throw FormatError.checksumMismatch(path: path, what: "the \(u.name) section")
            }
        }
        guard let configEntry = sections.first(where: { $0.kind == .config }) else { throw FormatError.missingSection(path: path, section: "CONF") }
        guard let tableEntry = sections.first(where: { $0.kind == .tensors }) else { throw FormatError.missingSection(path: path, section: "TENS") }
        guard let dataEntry = sections.first(where: { $0.kind == .data }) else { throw FormatError.missingSection(path: path, section: "DATA") }
        try checkLayout(file, directoryEnd: directoryEnd, data: dataEntry,
                        others: sections.filter { $0.kind != .data }.map { (Int($0.offset), Int($0.storedLength)) }
                            + unknown.map { ($0.range.lowerBound, $0.range.count) },
                        path: path)
        let config: ModelConfig
        do {
            config = try JSONDecoder().decode(ModelConfig.self, from: Data(try decoded(configEntry, in: file)))
        } catch let error as FormatError {
            throw error
        } catch {
            throw FormatError.malformed(path: path, what: "CONF section is not a valid configuration (\(error))")
        }
        do { try config.validate() } catch { throw FormatError.malformed(path: path, what: "\(error)") }
        let table = try decoded(tableEntry, in: file)
        let tensors = try table.withUnsafeBytes { try TensorRecord.decodeTable($0, path: path) }
        let dataLength = dataEntry.storedLength
        for t in tensors {
            let end = t.offset.addingReportingOverflow(t.length)
            let scaleEnd = t.scaleOffset.addingReportingOverflow(t.scaleLength)
            guard !end.overflow, end.partialValue <= dataLength, !scaleEnd.overflow, scaleEnd.partialValue <= dataLength else {
                throw FormatError.malformed(path: path, what: "tensor \(t.name) lies outside the data section")
            }
        }
        // No two tensors (or scale blocks) share bytes: each byte of the data section has at most one owner,
        // so `ModelFile.verify` can check the bytes no tensor owns (alignment padding) are zero.
        var previousEnd: UInt64 = 0, previousName = ""
        for (start, length, name) in dataRanges(tensors) where length > 0 {
            guard start >= previousEnd else {
                throw FormatError.malformed(path: path, what: "tensor \(name) overlaps tensor \(previousName) in the data section")
            }
            previousEnd = start + length
            previousName = name
        }
        return ModelFileHeader(versionMinor: minor, sections: sections, config: config, tensors: tensors,
                               dataOffset: Int(dataEntry.offset), dataLength: Int(dataLength))
    }

    /// A section of a kind this reader does not know (from a newer minor version): skipped, but its
    /// bytes are still bounds- and checksum-checked so that no byte before the data goes unchecked.
    struct UnknownSection {
        var name: String
        var range: Range<Int>
        var checksum: UInt64
    }

    private static func decodeDirectory(_ directory: UnsafeRawBufferPointer, count: Int, fileLength: Int,
                                        path: String) throws -> ([SectionEntry], [UnknownSection]) {
        var d = ByteDecoder(directory) { .malformed(path: path, what: "short section directory") }
        var sections: [SectionEntry] = []
        var unknown: [UnknownSection] = []
        for _ in 0..<count {
            let kindCode = try d.u32(), encodingCode = try d.u32()
            let offset = try d.u64(), stored = try d.u64(), decodedLength = try d.u64(), checksum = try d.u64()
            _ = try d.u64()
            let name = withUnsafeBytes(of: kindCode.littleEndian) { String(decoding: $0, as: UTF8.self) }
            let end = offset.addingReportingOverflow(stored)
            guard !end.overflow, end.partialValue <= UInt64(fileLength) else {
                throw FormatError.truncated(path: path, expected: end.partialValue, actual: UInt64(fileLength))
            }
            // Unknown section kinds from a newer minor version are skipped, not rejected.
            guard let kind = SectionKind(rawValue: kindCode) else {
                unknown.append(UnknownSection(name: name, range: Int(offset)..<Int(end.partialValue), checksum: checksum))
                continue
            }
            guard let encoding = SectionEncoding(rawValue: encodingCode) else {
                throw FormatError.malformed(path: path, what: "\(kind.name) section has unknown encoding \(encodingCode)")
            }
            guard decodedLength <= 1 << 32 else { throw FormatError.malformed(path: path, what: "\(kind.name) section is implausibly large") }
            guard encoding == .zstd || decodedLength == stored else {
                throw FormatError.malformed(path: path, what: "raw \(kind.name) section has decoded length \(decodedLength) but stores \(stored) bytes")
            }
            guard !sections.contains(where: { $0.kind == kind }) else {
                throw FormatError.malformed(path: path, what: "\(kind.name) section appears twice")
            }
            sections.append(SectionEntry(kind: kind, encoding: encoding, offset: offset, storedLength: stored,
                                         decodedLength: decodedLength, checksum: checksum))
        }
        return (sections, unknown)
    }

    /// Checks where the sections lie, so that every byte before the tensor data is covered by a checksum
    /// or is zero padding: the section bodies lie between the directory and the data section without
    /// overlapping, the data section starts on a page boundary and ends at the end of the file, and every
    /// byte in between that no section owns is zero (padding carries no checksum, so it is checked here;
    /// 4 KB at most plus any gaps, so the cost is nothing).
    private static func checkLayout(_ file: UnsafeRawBufferPointer, directoryEnd: Int, data: SectionEntry,
                                    others: [(offset: Int, length: Int)], path: String) throws {
        let dataStart = Int(data.offset)
        guard dataStart % ModelFileLayout.dataAlignment == 0, dataStart >= directoryEnd else {
            throw FormatError.malformed(path: path, what: "the data section starts at \(dataStart), not on a \(ModelFileLayout.dataAlignment)-byte boundary after the header")
        }
        guard dataStart + Int(data.storedLength) == file.count else {
            throw FormatError.malformed(path: path, what: "the data section ends at \(dataStart + Int(data.storedLength)), not at the end of the \(file.count)-byte file")
        }
        var cursor = directoryEnd
        for section in others.sorted(by: { ($0.offset, $0.length) < ($1.offset, $1.length) }) {
            guard section.offset >= cursor, section.offset + section.length <= dataStart else {
                throw FormatError.malformed(path: path, what: "section bodies overlap each other, the directory or the data (at offset \(section.offset))")
            }
            try checkZero(file, cursor..<section.offset, path: path)
            cursor = section.offset + section.length
        }
        try checkZero(file, cursor..<dataStart, path: path)
    }

    private static func checkZero(_ file: UnsafeRawBufferPointer, _ range: Range<Int>, path: String) throws {
        if let index = range.first(where: { file[$0] != 0 }) {
            throw FormatError.checksumMismatch(path: path, what: "the padding before the data section (byte \(index) is \(file[index]), padding must be zero)")
        }
    }

    /// Every tensor's and scale block's byte range in the data section, sorted by start.
    public static func dataRanges(_ tensors: [TensorRecord]) -> [(start: UInt64, length: UInt64, name: String)] {
        var ranges: [(start: UInt64, length: UInt64, name: String)] = []
        for t in tensors {
            ranges.append((t.offset, t.length, t.name))
            if t.scaleLength > 0 { ranges.append((t.scaleOffset, t.scaleLength, t.name + " (scales)")) }
        }
        return ranges.sorted { ($0.start, $0.length) < ($1.start, $1.length) }
    }

    /// The stored bytes of a section.
    public static func bytes(of section: SectionEntry, in file: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: file[Int(section.offset)..<Int(section.offset + section.storedLength)])
    }

    /// The decoded (decompressed if needed) bytes of a section.
    public static func decoded(_ section: SectionEntry, in file: UnsafeRawBufferPointer) throws -> [UInt8] {
        let stored = bytes(of: section, in: file)
        switch section.encoding {
        case .raw: return Array(stored)
        case .zstd: return try Zstd.decompress(stored, decodedLength: Int(section.decodedLength))
        }
    }
}
