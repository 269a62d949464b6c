import Foundation

/// `POST /v1/embeddings` (and TEI's alias `/embeddings`): OpenAI's embeddings API as TEI serves it.
/// Vectors are normalised; inputs are truncated only with `--auto-truncate`; errors take OpenAI's
/// shape `{"message", "code", "type"}`.
struct OpenAIEmbeddingsRequest: Decodable, Sendable {
    var input: EmbedInputs
    /// Accepted and ignored: one server serves one model.
    var model: String?
    var user: String?
    var encodingFormat: EncodingFormat
    var dimensions: Int?

    /// `float`: a JSON list; `base64`: the little-endian float32 bytes in base64, which the official
    /// `openai` Python client asks for by default.
    enum EncodingFormat: String, Decodable, Sendable { case float, base64 }

    private enum CodingKeys: String, CodingKey {
        case input, model, user, dimensions
        case encodingFormat = "encoding_format"
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        input = try c.decode(EmbedInputs.self, forKey: .input)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        user = try c.decodeIfPresent(String.self, forKey: .user)
        encodingFormat = try c.decodeIfPresent(EncodingFormat.self, forKey: .encodingFormat) ?? .float
        dimensions = try c.decodeIfPresent(Int.self, forKey: .dimensions)
    }
}

/// OpenAI's embeddings response.
struct OpenAIEmbeddingsResponse: Codable, Sendable {
    var object = "list"
    var data: [Item]
    var model: String
    var usage: Usage

    struct Item: Codable, Sendable {
        var object = "embedding"
        var embedding: Vector
        var index: Int
    }

    enum Vector: Codable, Sendable, Equatable {
        case float([Float])
        case base64(String)

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { self = .base64(s) } else { self = .float(try c.decode([Float].self)) }
        }

        func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .float(let v): try c.encode(v)
            case .base64(let s): try c.encode(s)
            }
        }
    }

    struct Usage: Codable, Sendable {
        var prompt_tokens: Int
        var total_tokens: Int
    }

    /// The JSON `JSONEncoder` would write (keys sorted), with the float vectors through `FloatJSON`.
    func jsonData() -> Data {
        var out = Array(#"{"data":"#.utf8)
        FloatJSON.list(data, into: &out) { item, out in
            out += Array(#"{"embedding":"#.utf8)
            switch item.embedding {
            case .float(let v): FloatJSON.append(v, to: &out)
            case .base64(let s): out += JSONBody.encode(s)
            }
            out += Array(#","index":\#(item.index),"object":"\#(item.object)"}"#.utf8)
        }
        out += Array(#","model":"#.utf8) + JSONBody.encode(model)
        out += Array(#","object":"\#(object)","usage":{"prompt_tokens":\#(usage.prompt_tokens),"total_tokens":\#(usage.total_tokens)}}"#.utf8)
        return Data(out)
    }
}

extension InferenceService {
    func openAIEmbeddings(_ body: Data) async throws -> RouteResponse {
        let start = ContinuousClock.now
        let request = try JSONBody.decode(OpenAIEmbeddingsRequest.self, from: body)
        let (vectors, metadata) = try await pooledEmbeddings(
            request.input.inputs, truncate: configuration.autoTruncate, direction: .right, normalize: true,
            dimensions: request.dimensions, promptName: nil, start: start)
        let items = vectors.enumerated().map { i, v in
            OpenAIEmbeddingsResponse.Item(embedding: request.encodingFormat == .float ? .float(v) : .base64(Self.base64(v)), index: i)
        }
        let body = OpenAIEmbeddingsResponse(data: items, model: configuration.modelID,
                                            usage: .init(prompt_tokens: metadata.tokens, total_tokens: metadata.tokens))
        var response = RouteResponse(status: 200, body: body.jsonData())
        metadata.apply(to: &response)
        return response
    }

    /// Little-endian IEEE float32 bytes, base64 (what numpy's `frombuffer(..., dtype="float32")` reads).
    static func base64(_ v: [Float]) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(v.count * 4)
        for x in v { withUnsafeBytes(of: x.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        return Data(bytes).base64EncodedString()
    }
}
