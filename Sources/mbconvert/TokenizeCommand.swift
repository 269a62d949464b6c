import ArgumentParser
import Foundation
import MBConverter
import MBRuntime
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

    @Argument(help: "A tokenizer.json, a Hugging Face model directory containing one, or a model file.")
    var tokenizer: String

    @Option(name: .long, help: "JSON Lines input: a JSON string or {\"text\": ..., \"text_pair\": ...} per line.")
    var input: String

    @Option(name: .long, help: "JSON Lines output: one array of ids per input line.")
    var output: String

    @Option(name: .customLong("max-length"), help: "Truncate to this many tokens, special tokens included (longest first). Default for a model file or a directory with config.json: the model's max positions, with a warning per truncated line.")
    var maxLength: Int?

    @Flag(name: .customLong("no-truncate"), help: "Make a text longer than the model's max positions an error instead of truncating it.")
    var noTruncate = false

    @Flag(name: .long, help: "Write {\"ids\": [...], \"offsets\": [[start, end], ...]} objects (Unicode scalar offsets).")
    var offsets = false

    @Flag(name: .long, help: "Print the tokenizer's load time, and texts, tokens, seconds and tokens/s of the encode step, to standard error.")
    var stats = false

    @Option(name: .long, help: "Encoding threads: 1 encodes sequentially; default uses every core.")
    var threads: Int?

    func validate() throws {
        if let maxLength, maxLength < 0 { throw ValidationError("--max-length must not be negative") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let clock = ContinuousClock()
        let loadStart = clock.now
        let tokenizer = try loadTokenizer(at: tokenizer)
        let loadTime = clock.now - loadStart
        let inputs = try InputLines.read(path: input)
        let modelLimit = maxLength == nil ? modelMaxPositions(at: self.tokenizer) : nil
        let limit = noTruncate ? nil : (maxLength ?? modelLimit)

        var encodings: [Encoding] = []
        let elapsed = clock.measure {
            if threads == 1 {
                encodings = inputs.map { tokenizer.encode($0.text, pair: $0.pair, maxLength: limit) }
            } else {
                encodings = tokenizer.encodeBatch(inputs, maxLength: limit)
            }
        }
        if let modelLimit = modelLimit ?? (noTruncate ? maxLength : nil) {
            try checkLengths(encodings, limit: modelLimit, tokenizer: tokenizer, inputs: inputs)
        }
        if stats {
            let tokens = encodings.reduce(0) { $0 + $1.count }
            func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
            let encodeSeconds = seconds(elapsed)
            let rate = encodeSeconds > 0 ? Double(tokens) / encodeSeconds : 0
            FileHandle.standardError.write(Data(
                "tokenizer load seconds \(String(format: "%.4f", seconds(loadTime)))\n".utf8))
            FileHandle.standardError.write(Data(
                "texts \(inputs.count) tokens \(tokens) seconds \(String(format: "%.4f", encodeSeconds)) tokens/s \(String(format: "%.0f", rate))\n".utf8))
        }
        try AtomicFile.write(OutputLines.render(encodings, offsets: offsets), to: output,
                             refusingInputs: [URL(fileURLWithPath: input)] + tokenizerFiles(at: self.tokenizer))
    }

    /// With the model's limit applied implicitly, says which lines were cut (stderr); with
    /// `--no-truncate`, refuses the first line over the limit.
    private func checkLengths(_ encodings: [Encoding], limit: Int, tokenizer: Tokenizer, inputs: [TokenizerInput]) throws {
        var truncated: [Int] = []
        for (index, encoding) in encodings.enumerated() where noTruncate ? encoding.count > limit : encoding.count == limit {
            // At the limit after truncation: truncated only if the full text is longer.
            let full = noTruncate ? encoding.count : tokenizer.encode(inputs[index].text, pair: inputs[index].pair).count
            guard full > limit else { continue }
            if noTruncate {
                throw TokenizeError(description: "\(input):\(index + 1): \(full) tokens, more than the model's \(limit) positions (--no-truncate)")
            }
            truncated.append(index)
            if truncated.count <= 10 {
                FileHandle.standardError.write(Data("warning: \(input):\(index + 1): \(full) tokens truncated to the model's \(limit) positions (--no-truncate makes this an error)\n".utf8))
            }
        }
        if truncated.count > 10 {
            FileHandle.standardError.write(Data("warning: \(truncated.count) lines truncated in all\n".utf8))
        }
    }
}

/// The model's max positions when the tokenizer comes from a model file or a Hugging Face directory
/// with a readable config.json; nil for a bare tokenizer.json (no model, no limit).
func modelMaxPositions(at path: String) -> Int? {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
    if isDirectory.boolValue {
        return try? HFConfigReader.read(contentsOf: URL(fileURLWithPath: path).appendingPathComponent("config.json")).maxPositions
    }
    if path.lowercased().hasSuffix(".json") { return nil }
    return try? ModelFile(url: URL(fileURLWithPath: path)).config.maxPositions
}

/// The files `loadTokenizer(at:)` reads, which the output must not replace.
func tokenizerFiles(at path: String) -> [URL] {
    let url = URL(fileURLWithPath: path)
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
        return [url, url.deletingLastPathComponent().appendingPathComponent("tokenizer_config.json")]
    }
    return [url.appendingPathComponent("tokenizer.json"), url.appendingPathComponent("tokenizer_config.json")]
}

/// Errors of the `tokenize` command that are about its inputs, not the tokenizer file.
struct TokenizeError: Error, CustomStringConvertible {
    var description: String
}

/// Loads the tokenizer named on the command line.
///
/// Directories and `.json` files go to `Tokenizer(contentsOf:)`; anything else is opened as a
/// model file, whose stored tokenizer loads from its compiled section when it has one.
func loadTokenizer(at path: String) throws -> Tokenizer {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw TokenizeError(description: "\(path): no such file or directory")
    }
    if isDirectory.boolValue || path.lowercased().hasSuffix(".json") {
        return try Tokenizer(contentsOf: URL(fileURLWithPath: path))
    }
    guard let tokenizer = try ModelFile(url: URL(fileURLWithPath: path)).tokenizer() else {
        throw TokenizeError(description: "\(path): this model file was converted without a tokenizer.json")
    }
    return tokenizer
}
