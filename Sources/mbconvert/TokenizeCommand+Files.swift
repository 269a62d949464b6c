import Foundation
import MBFormat
import MBTokenizer

// Input and output files of `mbconvert tokenize`, nested to keep the module namespace clear.
extension TokenizeCommand {
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
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw TokenizeError(description: "\(path): cannot read: \(error.localizedDescription)")
            }
            var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            if lines.last?.isEmpty == true { lines.removeLast() }
            let decoder = JSONDecoder()
            var inputs: [TokenizerInput] = []
            inputs.reserveCapacity(lines.count)
            for (index, raw) in lines.enumerated() {
                let number = index + 1
                var line = raw
                if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
                guard String(validating: line, as: UTF8.self) != nil else {
                    throw TokenizeError(description: "\(path):\(number): invalid UTF-8")
                }
                guard !line.isEmpty else {
                    throw TokenizeError(description: "\(path):\(number): empty line (expected a JSON string or object)")
                }
                do {
                    switch try decoder.decode(Line.self, from: Data(line)) {
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

    /// Renders encodings as JSON Lines without going through a JSON encoder: the output is
    /// only integers, so writing digits directly is both simpler and much faster.
    enum OutputLines {
        static func render(_ encodings: [Encoding], offsets: Bool) -> Data {
            var out: [UInt8] = []
            out.reserveCapacity(encodings.reduce(0) { $0 + $1.count } * (offsets ? 18 : 7) + encodings.count * 16)
            for encoding in encodings {
                if offsets { out.append(contentsOf: Array(#"{"ids":"#.utf8)) }
                out.append(UInt8(ascii: "["))
                for (i, id) in encoding.ids.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    appendInt(Int(id), to: &out)
                }
                out.append(UInt8(ascii: "]"))
                if offsets {
                    out.append(contentsOf: Array(#","offsets":["#.utf8))
                    for (i, offset) in encoding.offsets.enumerated() {
                        if i > 0 { out.append(UInt8(ascii: ",")) }
                        out.append(UInt8(ascii: "["))
                        appendInt(offset.start, to: &out)
                        out.append(UInt8(ascii: ","))
                        appendInt(offset.end, to: &out)
                        out.append(UInt8(ascii: "]"))
                    }
                    out.append(contentsOf: Array("]}".utf8))
                }
                out.append(UInt8(ascii: "\n"))
            }
            return Data(out)
        }

        private static func appendInt(_ value: Int, to out: inout [UInt8]) {
            if value < 0 {
                out.append(UInt8(ascii: "-"))
                appendInt(-value, to: &out)
                return
            }
            if value >= 10 { appendInt(value / 10, to: &out) }
            out.append(UInt8(ascii: "0") + UInt8(value % 10))
        }
    }

    /// Writes a file so that readers never see it half-written (`writeAtomically`: a temporary file in
    /// the same directory, fsynced, renamed over the destination), refusing to replace an input.
    enum AtomicFile {
        static func write(_ data: Data, to path: String, refusingInputs inputs: [URL] = []) throws {
            do {
                try writeAtomically(to: URL(fileURLWithPath: path), refusingInputs: inputs) { try $0.write(data) }
            } catch let error as AtomicFileError {
                throw TokenizeError(description: error.description)
            }
        }
    }
}
