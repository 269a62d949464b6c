import Foundation
import MBRuntime
@testable import MBServer
import XCTest

/// Statuses and bodies of bad requests (TEI's), and the shapes of the routes that run no model.
final class RouteContractTests: XCTestCase {
    func testBadRequestsGetTEIStatusesAndBodies() async throws {
        let service = try ServerFixtures.service("st-mean-normalize") { $0.maxClientBatchSize = 4 }
        defer { service.stop() }
        let cases: [(String, InferenceService.Route, Any, Int, String)] = [
            ("not JSON", .embed, "{\"inputs\": ", 400, "Validation"),
            ("empty body", .embed, "", 400, "Validation"),
            ("wrong type", .embed, ["inputs": 3], 422, "Validation"),
            ("missing field", .embed, ["input": "x"], 422, "Validation"),
            ("wrong field type", .embed, ["inputs": "x", "normalize": "yes"], 422, "Validation"),
            ("empty list", .embed, ["inputs": [String]()], 400, "Empty"),
            ("empty text", .embed, ["inputs": ""], 400, "Empty"),
            ("too many inputs", .embed, ["inputs": Array(repeating: "x", count: 5)], 413, "Validation"),
            ("token id out of range", .embed, ["inputs": [[1, 2, 999_999]]], 422, "Validation"),
            ("bad direction", .embed, ["inputs": "x", "truncation_direction": "up"], 422, "Validation"),
            ("dimensions 0", .embed, ["inputs": "x", "dimensions": 0], 422, "Validation"),
            ("dimensions too large", .embed, ["inputs": "x", "dimensions": 10_000], 422, "Validation"),
            ("predict on an embedding model", .predict, ["inputs": "x"], 424, "Backend"),
            ("rerank on an embedding model", .rerank, ["query": "q", "texts": ["a"]], 424, "Backend"),
            ("rerank without texts", .rerank, ["query": "q", "texts": [String]()], 400, "Empty"),
            ("predict triple", .predict, ["inputs": ["a", "b", "c"]], 422, "Validation"),
            ("tokenize empty", .tokenize, ["inputs": [String]()], 400, "Empty"),
            ("decode empty", .decode, ["ids": [Int]()], 400, "Empty"),
            ("decode negative", .decode, ["ids": [-1]], 422, "Validation"),
        ]
        for (what, route, body, status, type) in cases {
            let r = await service.post(route, body)
            XCTAssertEqual(r.status, status, "\(what): \(String(decoding: r.body, as: UTF8.self))")
            XCTAssertEqual(r.errorType, type, what)
            let message = (r.json as? [String: Any])?["error"] as? String
            XCTAssertFalse(message?.isEmpty ?? true, "\(what): no message")
        }
        // Errors on the OpenAI route take its shape.
        let openAI = await service.post(.openAIEmbeddings, ["input": 3])
        let body = try XCTUnwrap(openAI.json as? [String: Any])
        XCTAssertEqual(openAI.status, 422)
        XCTAssertEqual(body["code"] as? Int, 422)
        XCTAssertEqual(body["type"] as? String, "Validation")
        XCTAssertNotNil(body["message"] as? String)
        // Still answering.
        let ok = await service.post(.embed, ["inputs": "still healthy"])
        XCTAssertEqual(ok.status, 200)
    }

    /// An input longer than the model takes is refused naming the limit, unless the request (or
    /// `--auto-truncate`) truncates: right keeps the start, left the end.
    func testOverLongInputs() async throws {
        let service = try ServerFixtures.service("st-mean-normalize")
        defer { service.stop() }
        let limit = service.served.maxInputLength
        let long = Array(repeating: "word", count: limit + 50).joined(separator: " ")
        let refused = await service.post(.embed, ["inputs": long])
        XCTAssertEqual(refused.status, 422)
        let message = try XCTUnwrap((refused.json as? [String: Any])?["error"] as? String)
        XCTAssertTrue(message.contains("must have less than \(limit) tokens"), message)

        let tokenizer = service.served.tokenizer, model = service.served.model
        let embedder = try Embedder(model: model, normalize: true)
        let right = await service.post(.embed, ["inputs": long, "truncate": true])
        XCTAssertEqual(right.status, 200)
        XCTAssertEqual(Int(right.headers.first { $0.name == "x-compute-tokens" }!.value), limit)
        XCTAssertEqual(maxDifference(right.floats, [try embedder.embed([long])[0].vector]), 0)

        let text = (0..<(limit + 30)).map { "w\($0)" }.joined(separator: " ")
        let left = await service.post(.embed, ["inputs": text, "truncate": true, "truncation_direction": "left", "normalize": false])
        XCTAssertEqual(left.status, 200)
        let full = tokenizer.encode(text)
        let kept = [full.ids[0]] + full.ids.suffix(limit - 1)
        XCTAssertEqual(kept.count, limit)
        let expected = try model.forward([kept]).pooled(0, .mean)
        XCTAssertEqual(maxDifference(left.floats, [expected]), 0)
    }

    /// More inputs than `--max-concurrent-requests` admits are refused at once with 429.
    func testFullQueueIsOverloaded() async throws {
        let service = try ServerFixtures.service("st-mean-normalize") { $0.maxConcurrentRequests = 3 }
        defer { service.stop() }
        XCTAssertTrue(service.queue.reserve(2))
        let refused = await service.post(.embed, ["inputs": ["a", "b"]])
        XCTAssertEqual(refused.status, 429)
        XCTAssertEqual(refused.errorType, "Overloaded")
        let fits = await service.post(.embed, ["inputs": ["a"]])
        XCTAssertEqual(fits.status, 200)
        service.queue.release(2)
        let again = await service.post(.embed, ["inputs": ["a", "b", "c"]])
        XCTAssertEqual(again.status, 200)
    }

    /// Tokens carry UTF-8 byte offsets and the input's slice; template tokens are special with null offsets.
    func testTokenizeAndDecode() async throws {
        let service = try ServerFixtures.service("st-mean-normalize")
        defer { service.stop() }
        let text = "naïve café: 函数 [MASK]"
        let r = await service.post(.tokenize, ["inputs": text])
        let tokens = try XCTUnwrap((r.json as? [[[String: Any]]])?.first)
        let encoding = service.served.tokenizer.encode(text)
        XCTAssertEqual(tokens.map { $0["id"] as! Int }, encoding.ids.map(Int.init))
        XCTAssertEqual(tokens.first?["special"] as? Bool, true)
        XCTAssertTrue(tokens.first?["start"] is NSNull)
        let utf8 = Array(text.utf8)
        var covered = "", lastStop = 0
        for token in tokens where !(token["special"] as! Bool) {
            let start = token["start"] as! Int, stop = token["stop"] as! Int
            XCTAssertEqual(token["text"] as? String, String(decoding: utf8[start..<stop], as: UTF8.self))
            // Byte-level BPE splits a character such as 函 into several tokens that each carry the whole
            // character's offsets (as Hugging Face tokenizers reports them): count it once.
            if start >= lastStop { covered += token["text"] as! String }
            lastStop = max(lastStop, stop)
        }
        XCTAssertEqual(covered.replacingOccurrences(of: " ", with: ""), text.replacingOccurrences(of: " ", with: ""))
        let plain = await service.post(.tokenize, ["inputs": [text], "add_special_tokens": false])
        XCTAssertEqual((plain.json as? [[[String: Any]]])?.first?.count, encoding.count - 2)

        let sentence = "naïve café: 函数 x = [1, 2]"
        let ids = service.served.tokenizer.encode(sentence).ids.map(Int.init)
        let decoded = await service.post(.decode, ["ids": [ids, ids], "skip_special_tokens": true])
        XCTAssertEqual(decoded.json as? [String], [sentence, sentence])
        let withSpecial = await service.post(.decode, ["ids": ids, "skip_special_tokens": false])
        XCTAssertEqual((withSpecial.json as? [String])?.first, "[CLS]" + sentence + "[SEP]")
    }

    func testInfoHealthAndMetrics() async throws {
        let service = try ServerFixtures.service("seqcls-single") { $0.modelID = "seqcls" }
        let info = try XCTUnwrap(service.infoResponse().json as? [String: Any])
        XCTAssertEqual(info["model_id"] as? String, "seqcls")
        XCTAssertEqual(info["max_input_length"] as? Int, service.served.maxInputLength)
        let type = try XCTUnwrap(info["model_type"] as? [String: Any])
        let classifier = try XCTUnwrap(type["classifier"] as? [String: Any])
        XCTAssertEqual((classifier["id2label"] as? [String: String])?.count, service.served.labels.count)
        XCTAssertEqual((classifier["label2id"] as? [String: Int])?[service.served.labels[0]], 0)
        for key in ["model_dtype", "max_batch_tokens", "max_client_batch_size", "max_concurrent_requests", "auto_truncate", "version"] {
            XCTAssertNotNil(info[key], key)
        }
        XCTAssertEqual(service.healthResponse().status, 200)

        _ = await service.post(.predict, ["inputs": "x"])
        service.metrics.recordRequest(route: "/predict", status: 200, tokens: 3, seconds: 0.02, queueSeconds: 0.001)
        let text = String(decoding: service.metricsResponse().body, as: UTF8.self)
        XCTAssertTrue(text.contains("mbconvert_requests_total{route=\"/predict\",status=\"200\"} 1"), text)
        XCTAssertTrue(text.contains("mbconvert_request_duration_seconds_bucket{route=\"/predict\",le=\"0.025\"} 1"), text)
        XCTAssertTrue(text.contains("mbconvert_request_duration_seconds_bucket{route=\"/predict\",le=\"0.01\"} 0"), text)
        XCTAssertTrue(text.contains("mbconvert_batch_tokens_count 1"), text)

        service.stop()
        let down = service.healthResponse()
        XCTAssertEqual(down.status, 503)
        XCTAssertEqual(down.errorType, "Unhealthy")
        let refused = await service.post(.predict, ["inputs": "x"])
        XCTAssertNotEqual(refused.status, 200)
    }
}

/// The float writer behind embedding responses reads back as the same floats, and as JSON.
final class FloatJSONTests: XCTestCase {
    func testFloatsRoundTrip() throws {
        var generator = SplitMix64(seed: 3)
        let special: [Float] = [0, -0.0, 1, -1, 1e-30, -3.4e38, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 0.1, 1e-5]
        let rows = [special] + (0..<4).map { _ in
            (0..<300).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: generator.next())) }.filter(\.isFinite)
        }
        let data = FloatJSON.matrix(rows)
        let parsed = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [[NSNumber]])
        XCTAssertEqual(parsed.map { $0.map { Float($0.doubleValue) } }, rows)
        XCTAssertEqual(try JSONDecoder().decode([[Float]].self, from: data), rows)
        let nested = FloatJSON.tensor([rows, [[1, 2]]])
        XCTAssertEqual(try JSONDecoder().decode([[[Float]]].self, from: nested), [rows, [[1, 2]]])
        XCTAssertEqual(String(decoding: FloatJSON.matrix([[.nan, 1]]), as: UTF8.self), "[[null,1.0]]")
    }
}
