import Foundation

/// Request and response bodies: Foundation's JSON coders, with decoding errors turned into client
/// errors that name the field and the problem.
///
/// As TEI (whose axum extractor does the same split): a body that is not JSON is 400, JSON of the
/// wrong shape (a missing field, a number where a string belongs) is 422; both are `Validation` errors.
enum JSONBody {
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        guard !data.isEmpty else { throw APIError(.validation, "the request body is empty; expected a JSON object", status: 400) }
        // JSON text is UTF-8 (RFC 8259); Foundation would report bad bytes inside a string as a type
        // mismatch of the field, which reads as if the client sent the wrong type.
        guard String(validating: data, as: UTF8.self) != nil else {
            throw APIError(.validation, "the request body is not valid UTF-8", status: 400)
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw describe(error)
        }
    }

    static func encode<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Values the routes produce are finite; a NaN would be a model bug, reported rather than crashing.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return (try? encoder.encode(value)) ?? Data("null".utf8)
    }

    /// A client error for a decoding failure: 400 when the body is not JSON at all, else 422 naming
    /// the JSON path (`inputs[2]`) and what was expected there.
    static func describe(_ error: DecodingError) -> APIError {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            let detail = context.underlyingError.flatMap { ($0 as NSError).userInfo[NSDebugDescriptionErrorKey] as? String }
            return APIError(.validation, "the request body is not valid JSON" + (detail.map { ": \($0)" } ?? ""), status: 400)
        case .dataCorrupted(let context):
            return APIError(.validation, "\(path(context.codingPath)): \(context.debugDescription)")
        case .keyNotFound(let key, let context):
            let at = context.codingPath.isEmpty ? "" : " in \(path(context.codingPath))"
            return APIError(.validation, "missing field `\(key.stringValue)`\(at)")
        case .typeMismatch(let type, let context):
            return APIError(.validation, "\(path(context.codingPath)): expected \(typeName(type, context))")
        case .valueNotFound(let type, let context):
            return APIError(.validation, "\(path(context.codingPath)): expected \(typeName(type, context)), got null")
        @unknown default:
            return APIError(.validation, "\(error)")
        }
    }

    /// `inputs[2].text` style paths.
    static func path(_ codingPath: [CodingKey]) -> String {
        guard !codingPath.isEmpty else { return "body" }
        var out = ""
        for key in codingPath {
            if let i = key.intValue { out += "[\(i)]" } else { out += out.isEmpty ? key.stringValue : ".\(key.stringValue)" }
        }
        return "`\(out)`"
    }

    private static func typeName(_ type: Any.Type, _ context: DecodingError.Context) -> String {
        // Custom union decoders say what they accept in the description; plain fields name the type.
        if !context.debugDescription.isEmpty, context.debugDescription.hasPrefix("expected") {
            return String(context.debugDescription.dropFirst("expected ".count))
        }
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is UInt32.Type, is Int32.Type: return "an integer"
        case is Float.Type, is Double.Type: return "a number"
        default:
            let name = "\(type)"
            return name.hasPrefix("Array") ? "a list" : (name.hasPrefix("Dictionary") ? "an object" : name)
        }
    }
}
