// libFuzzer target: encoding arbitrary bytes as text with the real ModernBERT tokenizer
// (FUZZ_TOKENIZER, default Tests/MBTokenizerTests/Fixtures/tokenizer.json). Compiled into the
// MBTokenizer module (Scripts/fuzz.sh). Invalid UTF-8 is decoded with replacement characters, as any
// caller holding a Swift String has; the first input byte selects truncation and a pair split.
import Foundation

private let tokenizer: Tokenizer = {
    let path = ProcessInfo.processInfo.environment["FUZZ_TOKENIZER"] ?? "Tests/MBTokenizerTests/Fixtures/tokenizer.json"
    return try! Tokenizer(contentsOf: URL(fileURLWithPath: path))
}()

/// Loads the tokenizer before fuzzing starts, so its load time (seconds under ASan) does not count
/// against the first input's timeout.
private let vocabSize = tokenizer.vocabSize

@_cdecl("LLVMFuzzerInitialize")
public func tokenizerEncodeFuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    _ = vocabSize
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func tokenizerEncodeFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    guard let control = bytes.first else {
        _ = tokenizer.encode("")
        return 0
    }
    let body = UnsafeRawBufferPointer(rebasing: bytes[1...])
    let split = control & 0x80 != 0 ? body.count / 2 : body.count
    let text = String(decoding: body[..<split], as: UTF8.self)
    let pair: String? = split < body.count ? String(decoding: body[split...], as: UTF8.self) : nil
    let maxLength: Int? = control & 0x40 != 0 ? Int(control & 0x3F) : nil
    let encoding = tokenizer.encode(text, pair: pair, maxLength: maxLength)
    let scalars = text.unicodeScalars.count, pairScalars = pair?.unicodeScalars.count ?? 0
    precondition(encoding.ids.count == encoding.offsets.count && encoding.ids.count == encoding.sequenceIds.count)
    if let maxLength, maxLength >= 2 + (pair == nil ? 0 : 1) { precondition(encoding.ids.count <= maxLength) }
    for (i, id) in encoding.ids.enumerated() {
        precondition(id >= 0 && Int(id) < vocabSize, "id outside the vocabulary")
        let o = encoding.offsets[i], limit = encoding.sequenceIds[i] == 1 ? pairScalars : scalars
        precondition(o.start >= 0 && o.start <= o.end && o.end <= limit, "offset outside the text")
    }
    _ = tokenizer.decode(encoding.ids)
    return 0
}
