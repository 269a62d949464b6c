import Foundation

/// The row sums a W8A8 product needs (`WeightMatrix.int8RowSums`), computed on first use.
///
/// Computing them at load would read every int8 weight before the first token: ~110 MB and tens
/// of milliseconds for the base shape, including a tied 50k-row decoder that an encoder-only caller
/// never runs. On first use the pages are being read by the product anyway.
final class LazyRowSums: @unchecked Sendable {
    private let lock = NSLock()
    private var sums: [Int32]?

    /// The sums of `weight`'s rows; thread-safe, computed once.
    func value(for weight: WeightMatrix) -> [Int32] {
        lock.lock()
        defer { lock.unlock() }
        if let sums { return sums }
        let computed = weight.int8RowSums() ?? []
        sums = computed
        return computed
    }
}
