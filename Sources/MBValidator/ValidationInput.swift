import Foundation
import MBFormat
import MBRuntime
import MBTokenizer

/// The token sequences a validation runs, and which positions were masked for fill-mask metrics.
public struct ValidationInput: Sendable {
    /// Sequences as run (masked positions already replaced by the mask token).
    public var sequences: [[Int32]]
    /// Per sequence, the positions replaced by the mask token (empty when masking is off).
    public var masked: [[Int]]
    /// Where the ids came from, for the report.
    public var source: String

    public var tokenCount: Int { sequences.reduce(0) { $0 + $1.count } }
    public var maskedCount: Int { masked.reduce(0) { $0 + $1.count } }

    public init(sequences: [[Int32]], masked: [[Int]]? = nil, source: String) {
        self.sequences = sequences
        self.masked = masked ?? sequences.map { _ in [] }
        self.source = source
    }

    /// Tokenizes texts (with special tokens, truncated to `maxLength`).
    public static func texts(_ texts: [String], tokenizer: Tokenizer, maxLength: Int, source: String) -> ValidationInput {
        ValidationInput(sequences: texts.map { tokenizer.encode($0, maxLength: maxLength).ids }, source: source)
    }

    /// Reads `texts.jsonl`: one JSON string, or object with a "text" field, per line.
    public static func readTexts(_ url: URL) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ValidatorError.input(path: url.path, why: "cannot read the file")
        }
        var texts: [String] = []
        for (index, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() {
            let object = try? JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed])
            if let text = object as? String {
                texts.append(text)
            } else if let text = (object as? [String: Any])?["text"] as? String {
                texts.append(text)
            } else if !line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) {
                throw ValidatorError.input(path: url.path, why: "line \(index + 1): expected a JSON string or {\"text\": ...}")
            }
        }
        guard !texts.isEmpty else { throw ValidatorError.input(path: url.path, why: "no texts") }
        return texts
    }

    /// Writes the sequences as run, one JSON array per line (the ids `Scripts/ort_int8_compare.py` reads).
    public func writeIds(to url: URL) throws {
        let lines = sequences.map { "[" + $0.map(String.init).joined(separator: ",") + "]" }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url, options: .atomic)
    }

    /// Replaces about `rate` of each sequence's ordinary tokens by `maskId`, deterministically.
    ///
    /// Position p of sequence s is masked when a SplitMix64 hash of (s, p) falls below `rate`;
    /// special tokens (`exclude`) are never masked, and every sequence with an ordinary token gets
    /// at least one mask (its middle ordinary token) so short texts still contribute.
    public func masking(rate: Double, maskId: Int32, exclude: Set<Int32>) -> ValidationInput {
        guard rate > 0 else { return self }
        var out = self
        for (s, sequence) in sequences.enumerated() {
            let ordinary = sequence.indices.filter { !exclude.contains(sequence[$0]) }
            var chosen = ordinary.filter { p in
                Double(SplitMix64.mix(UInt64(s) << 32 | UInt64(p)) >> 11) / Double(1 << 53) < rate
            }
            if chosen.isEmpty, !ordinary.isEmpty { chosen = [ordinary[ordinary.count / 2]] }
            for p in chosen { out.sequences[s][p] = maskId }
            out.masked[s] = chosen
        }
        return out
    }

}

/// Why validation could not run (distinct from "ran and failed the thresholds").
public enum ValidatorError: Error, CustomStringConvertible {
    case input(path: String, why: String)
    case mismatch(String)

    public var description: String {
        switch self {
        case let .input(path, why): return "\(path): \(why)"
        case let .mismatch(why): return why
        }
    }
}
