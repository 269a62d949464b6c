/// The `Fuse` decoder: joins all tokens into one string.
struct FuseDecoder: Sendable {
    func decodeChain(_ tokens: [String]) -> [String] { [tokens.joined()] }
}
