import Foundation

/// Everything in a model file except the tensor bytes, decoded and checked.
///
/// Decoding verifies the preamble, the section directory and the checksum of every section except
/// the data, so a corrupted header or table never reaches the runtime. Tensor bytes are verified
/// on demand (`mbconvert inspect --verify`), because hashing them costs a full read of the file.
public struct ModelFileHeader: Sendable {
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
        let sections = try decodeDirectory(directory, count: sectionCount, fileLength: file.count, path: path)
        for s in sections where s.kind != .data {
            guard Checksum.xxh3(bytes(of: s, in: file)) == s.checksum else {
                throw FormatError.checksumMismatch(path: path, what: "the \(s.kind.name) section")
            }
        }
        guard let configEntry = sections.first(where: { $0.kind == .config }) else { throw FormatError.missingSection(path: path, section: "CONF") }
        guard let tableEntry = sections.first(where: { $0.kind == .tensors }) else { throw FormatError.missingSection(path: path, section: "TENS") }
        guard let dataEntry = sections.first(where: { $0.kind == .data }) else { throw FormatError.missingSection(path: path, section: "DATA") }
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
        return ModelFileHeader(sections: sections, config: config, tensors: tensors,
                               dataOffset: Int(dataEntry.offset), dataLength: Int(dataLength))
    }

    private static func decodeDirectory(_ directory: UnsafeRawBufferPointer, count: Int, fileLength: Int,
                                        path: String) throws -> [SectionEntry] {
        var d = ByteDecoder(directory) { .malformed(path: path, what: "short section directory") }
        var sections: [SectionEntry] = []
        for _ in 0..<count {
            let kindCode = try d.u32(), encodingCode = try d.u32()
            let offset = try d.u64(), stored = try d.u64(), decodedLength = try d.u64(), checksum = try d.u64()
            _ = try d.u64()
            // Unknown section kinds from a newer minor version are skipped, not rejected.
            guard let kind = SectionKind(rawValue: kindCode) else { continue }
            guard let encoding = SectionEncoding(rawValue: encodingCode) else {
                throw FormatError.malformed(path: path, what: "\(kind.name) section has unknown encoding \(encodingCode)")
            }
            let end = offset.addingReportingOverflow(stored)
            guard !end.overflow, end.partialValue <= UInt64(fileLength) else {
                throw FormatError.truncated(path: path, expected: end.partialValue, actual: UInt64(fileLength))
            }
            guard decodedLength <= 1 << 32 else { throw FormatError.malformed(path: path, what: "\(kind.name) section is implausibly large") }
            guard !sections.contains(where: { $0.kind == kind }) else {
                throw FormatError.malformed(path: path, what: "\(kind.name) section appears twice")
            }
            sections.append(SectionEntry(kind: kind, encoding: encoding, offset: offset, storedLength: stored,
                                         decodedLength: decodedLength, checksum: checksum))
        }
        return sections
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
