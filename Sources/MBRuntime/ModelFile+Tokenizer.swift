import Foundation
import MBFormat
import MBTokenizer

extension ModelFile {
    /// The tokenizer stored in the file, or nil when it was converted without one.
    ///
    /// Loads the compiled section (`TKBP`, a few milliseconds) when the file has one this build
    /// reads; otherwise parses the stored tokenizer.json (`TOKN`, ~100 ms), as files written
    /// before format 1.1 require. Both give the same tokenizer.
    public func tokenizer() throws -> Tokenizer? {
        let names = try section(.tokenizerConfig).map {
            try SpecialTokenNames(configData: Data($0), source: "\(url.path) (tokenizer_config.json)")
        } ?? SpecialTokenNames()
        let hasJSON = header.section(.tokenizer) != nil
        let compiled = try withSection(.compiledTokenizer) { bytes -> Tokenizer? in
            // An unknown layout version is left to the JSON, unless there is none to fall back to.
            guard Tokenizer.canLoadCompiled(bytes) || !hasJSON else { return nil }
            return try Tokenizer(compiled: bytes, source: "\(url.path) (compiled tokenizer)", specialTokenNames: names)
        }
        if let compiled = compiled ?? nil { return compiled }
        guard let json = try section(.tokenizer) else { return nil }
        return try Tokenizer(jsonData: Data(json), source: "\(url.path) (tokenizer.json)", specialTokenNames: names)
    }
}
