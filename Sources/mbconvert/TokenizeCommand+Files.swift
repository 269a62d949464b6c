import Foundation
import MBFormat
import MBTokenizer

// Input and output files of `mbconvert tokenize`, nested to keep the module namespace clear.
extension TokenizeCommand {
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
