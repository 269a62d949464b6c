// Usage: ConvertModel <hugging-face-dir> <model.mbc>
// One model file (fp32 weights, tokenizer included) from a Hugging Face ModernBERT directory.
import Foundation
import MBConverter

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: ConvertModel <hugging-face-dir> <model.mbc>\n".utf8))
    exit(2)
}
do {
    let source = URL(fileURLWithPath: arguments.first!), output = URL(fileURLWithPath: arguments.last!)
    let report = try Converter(directory: source).convert(to: output)
    print("converted \(report.config.architecture.rawValue), \(report.tensorCount) tensors: \(output.path)")
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
