// libFuzzer target: Hugging Face config.json parsing (`HFConfigReader.parse`) on arbitrary bytes.
// Compiled into the MBConverter module (Scripts/fuzz.sh).
import Foundation
import MBFormat

@_cdecl("LLVMFuzzerTestOneInput")
public func configFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Data(UnsafeRawBufferPointer(start: data, count: size))
    guard let config = try? HFConfigReader.parse(bytes, path: "config.json") else { return 0 }
    // Accepted configs must be internally consistent and yield a tensor list.
    precondition((try? config.validate()) != nil)
    _ = ModelTensors.expected(for: config)
    _ = config.logitsWidth
    return 0
}
