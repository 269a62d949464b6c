import Foundation

/// Errors thrown while loading a `tokenizer.json`.
///
/// Every case carries the file (or a description of the in-memory source) so that a
/// command-line user sees which file is at fault, not only what went wrong.
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read at all.
    case unreadable(file: String, reason: String)
    /// The bytes are not valid JSON.
    case invalidJSON(file: String, reason: String)
    /// A required field is missing or has the wrong JSON type.
    case missingField(file: String, path: String)
    /// A field has a value this implementation cannot honour.
    case invalidValue(file: String, path: String, reason: String)
    /// A pipeline component (normalizer, pre-tokenizer, model, post-processor, decoder)
    /// uses a type or an option that is not implemented.
    case unsupportedComponent(file: String, component: String, type: String)
    /// The compiled form (a model file's `TKBP` section) breaks one of its layout's rules.
    case invalidCompiled(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read tokenizer: \(reason)"
        case let .invalidJSON(file, reason):
            return "\(file): not valid JSON: \(reason)"
        case let .missingField(file, path):
            return "\(file): missing or malformed field '\(path)'"
        case let .invalidValue(file, path, reason):
            return "\(file): invalid value at '\(path)': \(reason)"
        case let .unsupportedComponent(file, component, type):
            return "\(file): unsupported \(component) '\(type)' (see Docs/tokenizer.md for the supported components)"
        case let .invalidCompiled(file, reason):
            return "\(file): invalid compiled tokenizer: \(reason)"
        }
    }
}
