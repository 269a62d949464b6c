import Foundation

/// Typed access to the untyped tree `JSONReader` returns, turning every surprise into
/// a `TokenizerError` that names the file and the JSON path instead of a crash.
struct JSONFields {
    let object: [String: Any]
    let file: String
    let path: String

    init(_ value: Any?, file: String, path: String) throws {
        guard let object = value as? [String: Any] else {
            throw TokenizerError.missingField(file: file, path: path.isEmpty ? "<root>" : path)
        }
        self.object = object
        self.file = file
        self.path = path
    }

    func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// `nil` when the key is absent or JSON null.
    func optional(_ key: String) -> Any? {
        // Compare metatypes: `value is NSNull` on a Swift dictionary would bridge it to NSDictionary first.
        guard let value = object[key], ObjectIdentifier(Swift.type(of: value)) != ObjectIdentifier(NSNull.self) else { return nil }
        return value
    }

    func object(_ key: String) throws -> JSONFields {
        try JSONFields(optional(key), file: file, path: childPath(key))
    }

    func optionalObject(_ key: String) throws -> JSONFields? {
        guard let value = optional(key) else { return nil }
        return try JSONFields(value, file: file, path: childPath(key))
    }

    func string(_ key: String) throws -> String {
        guard let value = optional(key) as? String else {
            throw TokenizerError.missingField(file: file, path: childPath(key))
        }
        return value
    }

    func optionalString(_ key: String) -> String? { optional(key) as? String }

    func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard let value = optional(key) else { return fallback }
        guard let flag = value as? Bool else {
            throw TokenizerError.invalidValue(file: file, path: childPath(key), reason: "expected true or false")
        }
        return flag
    }

    func int(_ key: String) throws -> Int {
        let raw = optional(key)
        if let value = raw as? Int { return value }
        guard let number = raw as? NSNumber, let value = Int(exactly: number.doubleValue) else {
            throw TokenizerError.missingField(file: file, path: childPath(key))
        }
        return value
    }

    func array(_ key: String) throws -> [Any] {
        guard let value = optional(key) as? [Any] else {
            throw TokenizerError.missingField(file: file, path: childPath(key))
        }
        return value
    }

    /// The `type` of a component, for dispatch and for error messages.
    func type() throws -> String { try string("type") }
}
