import ArgumentParser
import Foundation
import MBTokenizer

/// `mbconvert tokenize`: batch tokenization of a JSON Lines file, for checking the
/// tokenizer against Hugging Face and for benchmarking it.
///
/// Input lines are JSON strings or objects `{"text": ..., "text_pair": ...}`. Each output
/// line is the ids array, or `{"ids": [...], "offsets": [[s, e], ...]}` with `--offsets`.
/// Invalid UTF-8 can only enter through the input file, so it is rejected here with the
/// file name and line number rather than repaired silently.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenize JSON Lines texts into token ids with a model's tokenizer."
    )

    @Argument(help: "A tokenizer.json, or a Hugging Face model directory containing one.")
    var tokenizer: String

    @Option(name: .long, help: "JSON Lines input: a JSON string or {\"text\": ..., \"text_pair\": ...} per line.")
    var input: String

    @Option(name: .long, help: "JSON Lines output: one array of ids per input line.")
    var output: String

    @Option(name: .customLong("max-length"), help: "Truncate to this many tokens, special tokens included (longest first).")
    var maxLength: Int?

    @Flag(name: .long, help: "Write {\"ids\": [...], \"offsets\": [[start, end], ...]} objects (Unicode scalar offsets).")
    var offsets = false

    @Flag(name: .long, help: "Print texts, tokens, seconds and tokens/s of the encode step to standard error.")
    var stats = false

    @Option(name: .long, help: "Encoding threads: 1 encodes sequentially; default uses every core.")
    var threads: Int?

    func validate() throws {
        if let maxLength, maxLength < 0 { throw ValidationError("--max-length must not be negative") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let tokenizer = try loadTokenizer(at: tokenizer)
        let inputs = try InputLines.read(path: input)

        let clock = ContinuousClock()
        var encodings: [Encoding] = []
        let elapsed = clock.measure {
            if threads == 1 {
                encodings = inputs.map { tokenizer.encode($0.text, pair: $0.pair, maxLength: maxLength) }
            } else {
                encodings = tokenizer.encodeBatch(inputs, maxLength: maxLength)
            }
        }
        if stats {
            let tokens = encodings.reduce(0) { $0 + $1.count }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            let rate = seconds > 0 ? Double(tokens) / seconds : 0
            FileHandle.standardError.write(Data(
                "texts \(inputs.count) tokens \(tokens) seconds \(String(format: "%.4f", seconds)) tokens/s \(String(format: "%.0f", rate))\n".utf8))
        }
        try AtomicFile.write(OutputLines.render(encodings, offsets: offsets), to: output)
    }
}

/// Errors of the `tokenize` command that are about its inputs, not the tokenizer file.
struct TokenizeError: Error, CustomStringConvertible {
    var description: String
}

/// Loads the tokenizer named on the command line.
///
/// Model files (the converter's own format) are the integrator's to add here; directories
/// and `.json` files go to `Tokenizer(contentsOf:)`.
func loadTokenizer(at path: String) throws -> Tokenizer {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw TokenizeError(description: "\(path): no such file or directory")
    }
    if isDirectory.boolValue || path.lowercased().hasSuffix(".json") {
        return try Tokenizer(contentsOf: URL(fileURLWithPath: path))
    }
    throw TokenizeError(description: "\(path): model files are not supported yet by tokenize; pass a tokenizer.json or a Hugging Face model directory")
}
