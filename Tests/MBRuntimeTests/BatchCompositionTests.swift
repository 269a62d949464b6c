import Foundation
import MBRuntime
import XCTest

/// A sequence's outputs do not depend on the other sequences packed with it.
final class BatchCompositionTests: XCTestCase {
    /// W8A8 layers run whole for few tokens and in row chunks for many (EncoderLayer+RowChunks), with
    /// chunk boundaries falling inside sequences: a batch must give every sequence the bits it gets alone.
    func testW8A8BatchMatchesSequencesRunAlone() throws {
        let model = try ModernBert(contentsOf: try FixtureModelFiles.fp32AndInt8("tokcls-f32").int8, mode: .w8a8)
        let before = Threading.threads
        defer { Threading.setThreads(before) }
        Threading.setThreads(2)

        var generator = SplitMix64(seed: 21)
        // 472 tokens: chunked on 2 threads (at least 4 x 2 x 48 rows); each sequence alone runs whole.
        let sequences = [130, 1, 77, 200, 64].map { n in (0..<n).map { _ in Int32(generator.next() % 400) } }
        let batch = try model.forward(sequences, outputHiddenStates: true)
        for (index, sequence) in sequences.enumerated() {
            let alone = try model.forward([sequence], outputHiddenStates: true)
            let pairs = [(batch.lastHiddenState, alone.lastHiddenState, "last hidden state")]
                + zip(batch.hiddenStates!, alone.hiddenStates!).enumerated().map { ($1.0, $1.1, "hidden state \($0)") }
            for (packed, single, what) in pairs {
                let rows = Array(batch.rows(of: index, in: packed))
                XCTAssertEqual(rows.count, single.count)
                let differing = zip(rows, single).filter { $0 != $1 }.count
                XCTAssertEqual(differing, 0, "sequence \(index) (\(sequence.count) tokens), \(what): \(differing) of \(single.count) values differ")
            }
        }
    }

    /// A file with one layer's Wqkv left in fp16: that layer runs whole (its fp16 product goes through
    /// other kernels) between layers that run in row chunks, and every sequence still gets what it
    /// gets alone, to the float rounding of those kernels' different row blocking.
    ///
    /// Bounds, from measurements on all four x86 tiers (hidden values: sd ~1.05, |x| <= 4.03):
    /// - batch vs alone: measured 1.2e-7 (3.7e-9 on the portable tier), one float ulp near 1; the
    ///   bound 1e-6 is two ulps at the largest value (ulp(4) = 4.8e-7).
    /// - against fp32: measured 0.0178, identical on every tier (the int8 products are exact
    ///   integers, so the error is the weights' and activations' quantization alone); the bound
    ///   0.05 (~3x) leaves room for a change in how the same 8 bits are rounded, while a lost scale,
    ///   bias or row (errors of the order of the values' sd) fails.
    func testMixedPrecisionLayersBetweenChunkedOnes() throws {
        let files = try FixtureModelFiles.fp32AndInt8("tokcls-f32", keep: ["layers.1.attn.Wqkv"])
        let model = try ModernBert(contentsOf: files.int8, mode: .w8a8)
        let before = Threading.threads
        defer { Threading.setThreads(before) }
        Threading.setThreads(2)
        var generator = SplitMix64(seed: 22)
        let sequences = [230, 3, 160, 99].map { n in (0..<n).map { _ in Int32(generator.next() % 400) } }
        let batch = try model.forward(sequences)
        let reference = try ModernBert(contentsOf: files.fp32).forward(sequences)
        var worst = (alone: Float(0), fp32: Float(0))
        for (index, sequence) in sequences.enumerated() {
            let rows = Array(batch.rows(of: index, in: batch.lastHiddenState))
            let alone = try model.forward([sequence]).lastHiddenState
            XCTAssertEqual(rows.count, alone.count)
            let aloneError = zip(rows, alone).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(aloneError, 1e-6, "sequence \(index) (\(sequence.count) tokens)")
            // And the mixed file is still the model: close to fp32 at int8's accuracy.
            let fp32 = Array(reference.rows(of: index, in: reference.lastHiddenState))
            XCTAssertEqual(rows.count, fp32.count)
            let fp32Error = zip(rows, fp32).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(fp32Error, 0.05, "sequence \(index) against fp32")
            worst = (max(worst.alone, aloneError), max(worst.fp32, fp32Error))
        }
        print("mixed precision, \(KernelInfo.tierName): batch vs alone \(worst.alone) (bound 1e-6), vs fp32 \(worst.fp32) (bound 0.05)")
    }
}
