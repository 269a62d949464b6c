// libFuzzer target: the safetensors reader on arbitrary bytes.
// Compiled into the MBFormat module (Scripts/fuzz.sh), so it runs the exact validation
// `SafeTensorsFile(url:)` runs on a mapped file, then reads every accepted tensor.
@_cdecl("LLVMFuzzerTestOneInput")
public func safeTensorsFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let file = UnsafeRawBufferPointer(start: data, count: size)
    guard let (headerLength, header) = try? SafeTensorsFile.validate(file, path: "fuzz.safetensors") else { return 0 }
    // Accepted: every tensor must lie inside the buffer and match its shape (a trap here is a bug).
    let dataStart = 8 + headerLength
    var covered = 0
    for t in header.tensors {
        precondition(t.dataRange.lowerBound >= 0 && dataStart + t.dataRange.upperBound <= size, "tensor outside the file")
        precondition(t.byteCount == t.dataRange.count, "byte count disagrees with the range")
        covered += t.dataRange.count
        let head = UnsafeRawBufferPointer(rebasing: file[(dataStart + t.dataRange.lowerBound)..<(dataStart + min(t.dataRange.upperBound, t.dataRange.lowerBound + 64))])
        _ = FloatDecoding.floats(from: head, dtype: t.dtype)
    }
    precondition(covered == size - dataStart, "tensors do not tile the data buffer")
    return 0
}
