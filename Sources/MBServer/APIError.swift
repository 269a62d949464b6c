import Foundation

/// An error a route returns to the client, with TEI's status codes and bodies.
///
/// TEI's routes answer `{"error": "...", "error_type": "..."}`; its OpenAI-compatible route
/// (`/v1/embeddings`) answers `{"message": "...", "code": 422, "type": "..."}` for the same errors.
/// The `error_type` strings are what TEI's server writes (`"Validation"`, capitalised: its `ErrorType`
/// is serialised by variant name, whatever its OpenAPI examples show).
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// TEI's error categories, plus the two this server adds (`Unauthorized`, `NotFound`).
    public enum Kind: String, Sendable {
        case unhealthy = "Unhealthy"
        case backend = "Backend"
        case overloaded = "Overloaded"
        case validation = "Validation"
        case tokenizer = "Tokenizer"
        case empty = "Empty"
        case unauthorized = "Unauthorized"
        case notFound = "NotFound"
    }

    public var kind: Kind
    public var message: String
    /// The HTTP status; defaults to TEI's status for `kind`.
    public var status: Int

    public init(_ kind: Kind, _ message: String, status: Int? = nil) {
        self.kind = kind
        self.message = message
        self.status = status ?? Self.defaultStatus(kind)
    }

    /// TEI's mapping (`impl From<&ErrorType> for StatusCode`).
    static func defaultStatus(_ kind: Kind) -> Int {
        switch kind {
        case .unhealthy: return 503
        case .backend: return 424
        case .overloaded: return 429
        case .validation, .tokenizer: return 422
        case .empty: return 400
        case .unauthorized: return 401
        case .notFound: return 404
        }
    }

    public var description: String { "\(status) \(kind.rawValue): \(message)" }

    // MARK: - The errors routes share, worded as TEI words them

    static let overloaded = APIError(.overloaded, "Model is overloaded")
    static let emptyInputs = APIError(.empty, "`inputs` cannot be empty")

    static func tooManyInputs(_ count: Int, limit: Int) -> APIError {
        // TEI words it so; the issue this server implements asks for 413 rather than TEI's 422.
        APIError(.validation, "batch size \(count) > maximum allowed batch size \(limit)", status: 413)
    }

    static func payloadTooLarge(limit: Int) -> APIError {
        APIError(.validation, "request body is larger than the payload limit of \(limit) bytes", status: 413)
    }

    static func wrongModel(_ what: String) -> APIError { APIError(.backend, what) }

    // MARK: - Bodies

    /// TEI's body: `{"error": message, "error_type": kind}`.
    struct TEIBody: Codable, Equatable {
        var error: String
        var error_type: String
    }

    /// The OpenAI-compatible route's body (TEI's `OpenAICompatErrorResponse`).
    struct OpenAIBody: Codable, Equatable {
        var message: String
        var code: Int
        var type: String
    }

    var teiBody: TEIBody { TEIBody(error: message, error_type: kind.rawValue) }
    var openAIBody: OpenAIBody { OpenAIBody(message: message, code: status, type: kind.rawValue) }
}
