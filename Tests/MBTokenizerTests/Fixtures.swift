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
}
