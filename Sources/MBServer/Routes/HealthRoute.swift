import Foundation

extension InferenceService {
    /// `GET /health` (and TEI's `GET /`): 200 with an empty body while the model thread runs; 503 with
    /// TEI's `{"error": "unhealthy", "error_type": "Unhealthy"}` once it has stopped (shutting down).
    ///
    /// It does not run the model: a probe that queued behind a full batch would time out under load
    /// and get a busy but healthy replica restarted.
    public func healthResponse() -> RouteResponse {
        guard queue.isHealthy else { return .error(APIError(.unhealthy, "unhealthy")) }
        return RouteResponse(status: 200, body: Data(), contentType: "text/plain")
    }
}
