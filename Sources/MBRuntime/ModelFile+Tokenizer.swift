import Foundation
import MBTokenizer

extension ModelFile {
    /// The tokenizer stored in the file, or nil when it was converted without one.
    public func tokenizer() throws -> Tokenizer? {
        guard let json = try section(.tokenizer) else { return nil }
        let names = try section(.tokenizerConfig).map {
            try SpecialTokenNames(configData: Data($0), source: "\(url.path) (tokenizer_config.json)")
        } ?? SpecialTokenNames()
        return try Tokenizer(jsonData: Data(json), source: "\(url.path) (tokenizer.json)", specialTokenNames: names)
    }
}
