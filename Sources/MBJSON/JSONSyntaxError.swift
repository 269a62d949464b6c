/// Why a JSON text was refused: what was wrong, and the byte offset where it was found.
///
/// One error type for every parser built on ``JSONScanner``, so callers report the same two facts
/// whatever model the text is read into. Offsets count bytes of the input as given (not characters),
/// so they point into the file as it is on disk.
public struct JSONSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was wrong, in words: "unterminated string".
    public var message: String
    /// Offset of the byte that could not be accepted (the input's length when it ended too early).
    public var offset: Int

    public init(_ message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) at byte \(offset)" }
}
