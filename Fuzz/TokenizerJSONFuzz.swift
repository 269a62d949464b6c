// libFuzzer target: loading a tokenizer.json (`Tokenizer(jsonData:)`) from arbitrary bytes, then
// encoding and decoding a few texts with whatever loaded. Compiled into the MBTokenizer module
// (Scripts/fuzz.sh); seeded with Fuzz/seeds/tokenizer-small.json (the real file cut to 320 ids).
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func tokenizerJSONFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let json = Data(UnsafeRawBufferPointer(start: data, count: size))
    guard let tokenizer = try? Tokenizer(jsonData: json, source: "fuzz.json") else { return 0 }
    for text in ["", " ", "Hello world", "a [MASK] b</s>", "héllo\u{301} 漢字 \u{1F600}", "  \n\t x"] {
        let encoding = tokenizer.encode(text, pair: "pair text", maxLength: 7)
        _ = tokenizer.decode(encoding.ids)
        _ = tokenizer.encode(text)
    }
    _ = tokenizer.decode([0, 1, 2, -1, Int32.max, Int32.min], skipSpecialTokens: false)
    return 0
}
