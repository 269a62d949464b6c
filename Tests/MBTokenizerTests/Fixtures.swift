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

    /// The fixture's `tokenizer.json` compiled in layout version 2 (aligned arrays: what a raw TKBP holds).
    static let compiledV2 = compile(.aligned)
    /// The same in layout version 3 (byte planes: what a zstd TKBP holds).
    static let compiledV3 = compile(.compact)

    /// The same tokenizer loaded from each compiled form, with the same special token names.
    static let compiledV2Tokenizer = load(compiledV2, "fixture (compiled v2)")
    static let compiledV3Tokenizer = load(compiledV3, "fixture (compiled v3)")

    private static func compile(_ layout: Tokenizer.CompiledLayout) -> [UInt8] {
        do {
            return try Tokenizer.compile(jsonData: Data(contentsOf: url("tokenizer.json")), layout: layout)
        } catch {
            fatalError("cannot compile fixture tokenizer: \(error)")
        }
    }

    private static func load(_ compiled: [UInt8], _ source: String) -> Tokenizer {
        do {
            let names = try SpecialTokenNames(configData: Data(contentsOf: url("tokenizer_config.json")))
            return try compiled.withUnsafeBytes { try Tokenizer(compiled: $0, source: source, specialTokenNames: names) }
        } catch {
            fatalError("cannot load compiled fixture tokenizer: \(error)")
        }
    }
}
