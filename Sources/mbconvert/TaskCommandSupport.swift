import ArgumentParser
import Foundation
import MBRuntime
import MBTokenizer

/// What every text task command shares: loading, input texts, progress, JSON and warnings.
enum TaskCommand {
    /// Texts from the command line, or from `--input` (JSON Lines); exactly one source.
    static func texts(_ arguments: [String], input: String?) throws -> [String] {
        if let input {
            guard arguments.isEmpty else { throw ValidationError("give texts as arguments or with --input, not both") }
            let texts = try JSONLines.texts(path: input)
            guard !texts.isEmpty else { throw ValidationError("\(input) has no texts") }
            return texts
        }
        guard !arguments.isEmpty else { throw ValidationError("give a text argument or --input texts.jsonl") }
        return arguments
    }

    /// Texts or text pairs from the command line (`pairs`: one second text per text argument), or
    /// from `--input` (JSON Lines with optional `"text_pair"`); exactly one source.
    static func inputs(_ arguments: [String], pairs: [String], input: String?) throws -> [TokenizerInput] {
        if let input {
            guard arguments.isEmpty, pairs.isEmpty else {
                throw ValidationError("give texts (and --pair) as arguments or with --input, not both")
            }
            let inputs = try InputLines.read(path: input)
            guard !inputs.isEmpty else { throw ValidationError("\(input) has no texts") }
            return inputs
        }
        guard !arguments.isEmpty else { throw ValidationError("give a text argument or --input texts.jsonl") }
        guard pairs.isEmpty || pairs.count == arguments.count else {
            throw ValidationError("--pair is given \(pairs.count) time(s) for \(arguments.count) text(s): give one per text")
        }
        return arguments.enumerated().map { i, text in TokenizerInput(text, pair: pairs.isEmpty ? nil : pairs[i]) }
    }

    /// A progress callback drawing a bar on a terminal, for inputs long enough to be worth one.
    static func progress(_ label: String, items: Int) -> (bar: ProgressBar?, callback: TaskProgress?) {
        guard items >= 16 else { return (nil, nil) }
        let bar = ProgressBar(label: label)
        return (bar, { done, total in bar.update(done, of: total) })
    }

    static func printJSON(_ object: Any) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: data, as: UTF8.self))
    }

    static func warnTruncated(_ flags: [Bool], max: Int) {
        let cut = flags.indices.filter { flags[$0] }
        guard !cut.isEmpty else { return }
        let which = cut.prefix(5).map { String($0 + 1) }.joined(separator: ", ") + (cut.count > 5 ? ", ..." : "")
        FileHandle.standardError.write(Data("warning: \(cut.count) text(s) longer than \(max) tokens were truncated (\(which))\n".utf8))
    }

    static func format(_ x: Float) -> String { String(format: "%.4f", x) }

    static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}
