import Foundation

extension InferenceService {
    /// `GET /metrics`: Prometheus text (see `ServerMetrics` for the series).
    public func metricsResponse() -> RouteResponse {
        RouteResponse(status: 200, body: Data(metrics.render().utf8), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }
}
