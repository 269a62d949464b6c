// libFuzzer target: the model file header decoder (`ModelFileHeader.decode`) on arbitrary bytes.
// Compiled into the MBFormat module (Scripts/fuzz.sh).
//
// Checksums stop almost every mutation at the first check, which would leave the decoder behind
// them unfuzzed. So each input is decoded twice: as given (the checksum gate itself), and after
// "repairing" it the way a forger would: file_length set to the input's size, then every section's,
// the directory's and the preamble's checksum recomputed. The second pass reaches the directory,
// layout, config and tensor-table checks with mutated contents.
@_cdecl("LLVMFuzzerTestOneInput")
public func modelFileFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    exercise(input)
    var repaired = Array(input)
    if repairChecksums(&repaired) {
        repaired.withUnsafeBytes { exercise($0) }
    }
    return 0
}

private func exercise(_ file: UnsafeRawBufferPointer) {
    guard let header = try? ModelFileHeader.decode(file, path: "fuzz.mbc") else { return }
    // Accepted: every range the header hands out must be inside the buffer (a trap here is a bug).
    for t in header.tensors {
        precondition(UInt64(header.dataOffset) + t.offset + t.length <= UInt64(file.count))
        let start = header.dataOffset + Int(t.offset)
        _ = Checksum.xxh3(UnsafeRawBufferPointer(rebasing: file[start..<(start + Int(t.length))]))
    }
    for s in header.sections where s.kind != .data && s.decodedLength <= 1 << 24 {
        _ = try? ModelFileHeader.decoded(s, in: file)
    }
    _ = ModelTensors.expected(for: header.config)
}

private func repairChecksums(_ bytes: inout [UInt8]) -> Bool {
    let preamble = ModelFileLayout.preambleSize, entry = ModelFileLayout.sectionEntrySize
    guard bytes.count >= preamble else { return false }
    func u64(_ at: Int) -> UInt64 { bytes[at..<(at + 8)].reversed().reduce(0) { $0 << 8 | UInt64($1) } }
    func put(_ value: UInt64, at: Int) { for i in 0..<8 { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) } }
    let count = Int(bytes[12]) | Int(bytes[13]) << 8 | Int(bytes[14]) << 16 | Int(bytes[15]) << 24
    guard count <= 64, preamble + count * entry <= bytes.count else { return false }
    put(UInt64(bytes.count), at: 24)
    for i in 0..<count {
        let e = preamble + i * entry
        let offset = u64(e + 8), stored = u64(e + 16)
        guard offset <= UInt64(bytes.count), stored <= UInt64(bytes.count) - offset else { continue }
        let kind = UInt32(bytes[e]) | UInt32(bytes[e + 1]) << 8 | UInt32(bytes[e + 2]) << 16 | UInt32(bytes[e + 3]) << 24
        if kind == SectionKind.data.rawValue { continue }
        put(Checksum.xxh3(Array(bytes[Int(offset)..<Int(offset + stored)])), at: e + 32)
    }
    put(Checksum.xxh3(Array(bytes[preamble..<(preamble + count * entry)])), at: 32)
    put(Checksum.xxh3(Array(bytes[0..<56])), at: 56)
    return true
}
