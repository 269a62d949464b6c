import Foundation
import MBFormat

/// A model file mapped into memory: the decoded header plus zero-copy views of its tensors.
///
/// Opening checks the preamble, directory, config and tensor table checksums; tensor bytes are
/// only hashed by `verify()`, so opening a large file costs a few milliseconds and no copy.
public final class ModelFile: @unchecked Sendable {
    public let url: URL
    public let header: ModelFileHeader
    private let mapping: MappedFile
    private let recordsByName: [String: TensorRecord]

    public init(url: URL) throws {
        self.url = url
        do {
            mapping = try MappedFile(path: url.path)
        } catch let error as SafeTensorsError {
            throw FormatError.io(path: url.path, what: "\(error)")
        }
        header = try ModelFileHeader.decode(mapping.bytes, path: url.path)
        recordsByName = Dictionary(header.tensors.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public var config: ModelConfig { header.config }
    public var tensors: [TensorRecord] { header.tensors }
    public var fileSize: Int { mapping.bytes.count }

    public func record(_ name: String) -> TensorRecord? { recordsByName[name] }

    /// The bytes of a tensor, valid while this object lives.
    public func bytes(of record: TensorRecord) -> UnsafeRawBufferPointer {
        slice(Int(record.offset), Int(record.length))
    }

    /// Copies `count` bytes starting `byteOffset` into a tensor with a read call rather than through the
    /// mapping (see `MappedFile.read`); falls back to the mapping if the read fails.
    public func copyBytes(of record: TensorRecord, byteOffset: Int, count: Int, into destination: UnsafeMutableRawPointer) {
        precondition(byteOffset >= 0 && byteOffset + count <= Int(record.length), "range outside tensor \(record.name)")
        if !mapping.read(at: header.dataOffset + Int(record.offset) + byteOffset, count: count, into: destination) {
            destination.copyMemory(from: bytes(of: record).baseAddress! + byteOffset, byteCount: count)
        }
    }

    /// The per-row scales of a quantized tensor.
    public func scales(of record: TensorRecord) -> UnsafeBufferPointer<Float> {
        slice(Int(record.scaleOffset), Int(record.scaleLength)).bindMemory(to: Float.self)
    }

    private func slice(_ offset: Int, _ length: Int) -> UnsafeRawBufferPointer {
        let start = header.dataOffset + offset
        return UnsafeRawBufferPointer(rebasing: mapping.bytes[start..<(start + length)])
    }

    /// A decoded text section (tokenizer.json, tokenizer_config.json, metadata), if the file has it.
    public func section(_ kind: SectionKind) throws -> [UInt8]? {
        guard let entry = header.section(kind) else { return nil }
        return try ModelFileHeader.decoded(entry, in: mapping.bytes)
    }

    /// Calls `body` with a section's decoded bytes: in place in the mapping for a raw section (no
    /// copy), decompressed for a zstd one. Nil when the file has no such section.
    public func withSection<R>(_ kind: SectionKind, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        guard let entry = header.section(kind) else { return nil }
        if entry.encoding == .raw { return try body(ModelFileHeader.bytes(of: entry, in: mapping.bytes)) }
        return try ModelFileHeader.decoded(entry, in: mapping.bytes).withUnsafeBytes(body)
    }

    /// Hashes every tensor and compares with the table, and checks that the alignment padding between
    /// tensors is zero. Reads the whole file. With the checks made on open, this covers every byte of the
    /// file: any single damaged byte is reported.
    /// - Returns: the names of corrupted tensors, and "padding at data bytes a..<b" for damaged padding
    ///   (empty when the file is intact).
    public func verify() -> [String] {
        var corrupted = header.tensors.filter { r in
            Checksum.xxh3(bytes(of: r)) != r.checksum
                || (r.scaleLength > 0 && Checksum.xxh3(UnsafeRawBufferPointer(scales(of: r))) != r.scaleChecksum)
        }.map(\.name)
        var cursor = 0
        let ends = ModelFileHeader.dataRanges(header.tensors).map { (Int($0.start), Int($0.start + $0.length)) }
        for (start, end) in ends + [(header.dataLength, header.dataLength)] {
            if start > cursor, let index = slice(cursor, start - cursor).firstIndex(where: { $0 != 0 }) {
                corrupted.append("padding at data bytes \(cursor + index)..<\(start)")
            }
            cursor = max(cursor, end)
        }
        return corrupted
    }
}
