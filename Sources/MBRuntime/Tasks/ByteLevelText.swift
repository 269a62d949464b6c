/// Hugging Face's ByteLevel decoder applied to token *strings*, which is how transformers'
/// `convert_tokens_to_string` builds entity words: every character of a vocabulary token stands for
/// one byte (GPT-2's alphabet: "Ġ" is a space); a piece containing any character outside that
/// alphabet (an already-decoded word such as " van") contributes its own UTF-8 bytes instead.
/// Invalid UTF-8 (a character split between pieces) becomes U+FFFD, as in `tokenizers`.
enum ByteLevelText {
    private static let byteForScalar: [UInt32: UInt8] = {
        var map: [UInt32: UInt8] = [:]
        var next: UInt32 = 256
        for b in 0..<256 {
            let printable = (33...126).contains(b) || (161...172).contains(b) || (174...255).contains(b)
            if printable {
                map[UInt32(b)] = UInt8(b)
            } else {
                map[next] = UInt8(b)
                next += 1
            }
        }
        return map
    }()

    static func join(_ pieces: [String]) -> String {
        var bytes: [UInt8] = []
        for piece in pieces {
            var mapped: [UInt8] = []
            var inAlphabet = true
            for s in piece.unicodeScalars {
                guard let b = byteForScalar[s.value] else { inAlphabet = false; break }
                mapped.append(b)
            }
            bytes.append(contentsOf: inAlphabet ? mapped : Array(piece.utf8))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
