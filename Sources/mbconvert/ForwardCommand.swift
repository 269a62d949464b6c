import ArgumentParser
import Foundation
import MBFormat
import MBRuntime

struct ForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward",
        abstract: "Run token ids through the model and save hidden states and logits as safetensors.",
        discussion: """
        Each line of the input is a JSON array of token ids; all lines form one batch. The output holds, \
        for sequence i: last_hidden_state.i [len, hidden]; with --hidden-states, hidden_states.L.i for \
        L = 0...num_layers (embedding output first, as transformers' output_hidden_states); with --logits, \
        logits.i ([len, vocab] for MLM, [len, labels] for token heads, [1, labels] for sequence classification).
        """)

    @Argument(help: "Model file.")
    var file: String

    @Option(help: "JSONL file: one JSON array of token ids per line.")
    var input: String

    @Option(help: "Output safetensors file.")
    var output: String

    @Flag(help: "Also write every layer's hidden states.")
    var hiddenStates = false

    @Flag(help: "Also write the head's logits.")
    var logits = false

    func run() throws {
        let model = try ModernBert(contentsOf: URL(fileURLWithPath: file))
        let (sequences, lines) = try TokenIdsFile.read(input)
        // Ids are explicit here, so an over-long sequence is an error, never silently truncated.
        let limit = model.config.maxPositions, vocab = model.config.vocabSize
        for (i, s) in sequences.enumerated() {
            guard s.count <= limit else {
                throw ValidationError("\(input):\(lines[i]): \(s.count) token ids; the model takes at most \(limit)")
            }
            if let bad = s.firstIndex(where: { $0 < 0 || Int($0) >= vocab }) {
                throw ValidationError("\(input):\(lines[i]): token id \(s[bad]) at position \(bad) is outside the vocabulary (0..<\(vocab))")
            }
        }
        let result = try model.forward(sequences, outputHiddenStates: hiddenStates)
        let h = result.hiddenSize
        var writer = SafeTensorsWriter(metadata: ["producer": "mbconvert forward", "model": file])
        for i in sequences.indices {
            let n = sequences[i].count
            try writer.add(name: "last_hidden_state.\(i)", dtype: .f32, shape: [n, h], floats: Array(result.rows(of: i, in: result.lastHiddenState)))
            if let states = result.hiddenStates {
                for (layer, packed) in states.enumerated() {
                    try writer.add(name: "hidden_states.\(layer).\(i)", dtype: .f32, shape: [n, h], floats: Array(result.rows(of: i, in: packed)))
                }
            }
            if logits {
                guard let head = model.head else {
                    throw ValidationError("\(file) is a \(model.config.architecture.rawValue) without a head; --logits needs a task head")
                }
                let values = head.logits(result, sequence: i)
                try writer.add(name: "logits.\(i)", dtype: .f32, shape: [values.count / head.width, head.width], floats: values)
            }
        }
        try writer.write(to: URL(fileURLWithPath: output), refusingInputs: [URL(fileURLWithPath: file), URL(fileURLWithPath: input)])
    }
}

/// Reads JSONL files of token-id arrays, with errors that name the file and line.
enum TokenIdsFile {
    /// - Returns: the sequences and the 1-based line each came from (blank lines are skipped).
    static func read(_ path: String) throws -> ([[Int32]], [Int]) {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("\(path): cannot read the file") }
        var sequences: [[Int32]] = []
        var lines: [Int] = []
        for (index, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == 32 || $0 == 9 || $0 == 13 }
            if trimmed.isEmpty { continue }
            guard String(validating: trimmed, as: UTF8.self) != nil else {
                throw ValidationError("\(path):\(index + 1): invalid UTF-8")
            }
            guard let array = try? JSONSerialization.jsonObject(with: Data(trimmed)) as? [Any] else {
                throw ValidationError("\(path):\(index + 1): expected a JSON array of token ids")
            }
            guard !array.isEmpty else { throw ValidationError("\(path):\(index + 1): empty sequence (a sequence needs at least one token id)") }
            sequences.append(try array.map { value in
                guard let n = FoundationJSON.integer(value) else {
                    throw ValidationError("\(path):\(index + 1): \(value) is not a token id")
                }
                return Int32(n)
            })
            lines.append(index + 1)
        }
        guard !sequences.isEmpty else { throw ValidationError("\(path): no sequences (expected one JSON array per line)") }
        return (sequences, lines)
    }
}
