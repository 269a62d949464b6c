/// The `ByteLevel` decoder: maps byte-level token spellings back to bytes, then UTF-8, joining all
/// tokens into one string.
///
/// A token containing any character outside the byte alphabet (an added token such as "[MASK]",
/// a run of spaces, or an already decoded word) contributes its own UTF-8 bytes instead, and
/// invalid UTF-8 becomes U+FFFD, as in Hugging Face (`String::from_utf8_lossy`).
struct ByteLevelDecoder: Sendable {
    func decodeChain(_ tokens: [String]) -> [String] {
        var bytes: [UInt8] = []
        for token in tokens { bytes.append(contentsOf: ByteLevelAlphabet.bytes(of: token) ?? Array(token.utf8)) }
        return [String(decoding: bytes, as: UTF8.self)]
    }
}
