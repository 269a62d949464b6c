import Foundation
import MBTokenizer

/// Access to the committed fixtures; tests never read outside the test bundle.
enum Fixtures {
    static var directory: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    }

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// Loading parses a 3.5 MB JSON file, so all tests share one instance.
    static let tokenizer: Tokenizer = {
        do {
            return try Tokenizer(contentsOf: directory)
        } catch {
            fatalError("cannot load fixture tokenizer: \(error)")
        }
    }()

    /// The fixture's `tokenizer.json` compiled (what a model file's TKBP section holds).
    static let compiled: [UInt8] = {
        do {
            return try Tokenizer.compile(jsonData: Data(contentsOf: url("tokenizer.json")))
        } catch {
            fatalError("cannot compile fixture tokenizer: \(error)")
        }
    }()

    /// The same tokenizer loaded from its compiled form, with the same special token names.
    static let compiledTokenizer: Tokenizer = {
        do {
            let names = try SpecialTokenNames(configData: Data(contentsOf: url("tokenizer_config.json")))
            return try compiled.withUnsafeBytes { try Tokenizer(compiled: $0, source: "fixture (compiled)", specialTokenNames: names) }
        } catch {
            fatalError("cannot load compiled fixture tokenizer: \(error)")
        }
    }()
}
