import Foundation
import MBTokenizer

/// JSON Lines input shared by the commands that read texts (`tokenize`, `fill-mask`, `embed`, ...).
enum JSONLines {
    /// The lines of a JSON Lines file with their 1-based numbers. Invalid UTF-8 and blank lines in the
    /// middle are errors naming the file and line; a final newline and CRLF endings are accepted.
    static func lines(path: String) throws -> [(number: Int, data: Data)] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw TokenizeError(description: "\(path): cannot read: \(error.localizedDescription)")
        }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        return try lines.enumerated().map { index, raw in
            var line = raw
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            guard String(validating: line, as: UTF8.self) != nil else {
                throw TokenizeError(description: "\(path):\(index + 1): invalid UTF-8")
            }
            guard !line.isEmpty else {
                throw TokenizeError(description: "\(path):\(index + 1): empty line (expected a JSON string or object)")
            }
            return (index + 1, Data(line))
        }
    }

    /// Reads texts: one JSON string or `{"text": ...}` object per line (a `text_pair` is rejected).
    static func texts(path: String) throws -> [String] {
        try InputLines.read(path: path).enumerated().map { i, input in
            guard input.pair == nil else {
                throw TokenizeError(description: "\(path):\(i + 1): this command takes single texts, not text_pair")
            }
            return input.text
        }
    }
}

/// Reads the `tokenize` input: one JSON string or `{"text", "text_pair"}` object per line.
enum InputLines {
    private enum Line: Decodable {
        case text(String)
        case object(text: String, pair: String?)

        private enum Keys: String, CodingKey { case text, text_pair }

        init(from decoder: Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                self = .text(text)
                return
            }
            let object = try decoder.container(keyedBy: Keys.self)
            self = .object(text: try object.decode(String.self, forKey: .text),
                           pair: try object.decodeIfPresent(String.self, forKey: .text_pair))
        }
    }

    /// Parses the whole file. Invalid UTF-8, bad JSON and blank lines in the middle are
    /// errors naming the file and the 1-based line. `JSONDecoder` is used because
    /// `JSONSerialization` on Linux drops a literal U+FEFF inside strings.
    static func read(path: String) throws -> [TokenizerInput] {
        let decoder = JSONDecoder()
        var inputs: [TokenizerInput] = []
        for (number, line) in try JSONLines.lines(path: path) {
            do {
                switch try decoder.decode(Line.self, from: line) {
                case let .text(text): inputs.append(TokenizerInput(text))
                case let .object(text, pair): inputs.append(TokenizerInput(text, pair: pair))
                }
            } catch {
                throw TokenizeError(description: "\(path):\(number): expected a JSON string or {\"text\": ..., \"text_pair\": ...}")
            }
        }
        return inputs
    }
}
