import Foundation
import MBConverter
import MBRuntime
import XCTest

/// One loaded model shared by many threads gives exactly the results of serial runs.
final class ConcurrencyTests: XCTestCase {
    func testEightThreadsMatchSerialRunsBitForBit() throws {
        let url = try TestPaths.temporaryDirectory().appendingPathComponent("model.mbc")
        _ = try Converter(directory: TestPaths.fixtures.appendingPathComponent("mlm-legacy-f32")).convert(to: url)
        let model = try ModernBert(contentsOf: url)
        let vocab = Int32(model.config.vocabSize)
        // Different inputs per thread: lengths from 1 to past one attention block, batches of 1 to 3.
        var generator = SplitMix64(seed: 1)
        let inputs: [[[Int32]]] = (0..<8).map { t in
            (0...(t % 3)).map { s in (0..<(1 + (t * 37 + s * 53) % 300)).map { _ in Int32(generator.next() % UInt64(vocab)) } }
        }
        let serial = try inputs.map { try model.forward($0, outputHiddenStates: true) }

        let rounds = 3
        var mismatches = [Int](repeating: 0, count: inputs.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: inputs.count) { t in
            for _ in 0..<rounds {
                let out = try! model.forward(inputs[t], outputHiddenStates: true)
                let same = out.lastHiddenState == serial[t].lastHiddenState && out.hiddenStates! == serial[t].hiddenStates!
                if !same { lock.lock(); mismatches[t] += 1; lock.unlock() }
            }
        }
        XCTAssertEqual(mismatches, [Int](repeating: 0, count: inputs.count), "concurrent results differ from serial ones")
        // And serial results are still the same afterwards (no global state left changed).
        XCTAssertEqual(try model.forward(inputs[5]).lastHiddenState, serial[5].lastHiddenState)
    }
}

final class ThreadingTests: XCTestCase {
    /// Overlapping forwards leave OpenBLAS's thread count as it was.
    func testConcurrentForwardsRestoreTheThreadCount() throws {
        let url = try TestPaths.temporaryDirectory().appendingPathComponent("model.mbc")
        _ = try Converter(directory: TestPaths.fixtures.appendingPathComponent("mlm-legacy-f32")).convert(to: url)
        let model = try ModernBert(contentsOf: url)
        let before = Threading.threads
        Threading.setThreads(2)
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            for _ in 0..<2 { _ = try! model.forward([[Int32](repeating: Int32(t + 1), count: 70)]) }
        }
        XCTAssertEqual(Threading.threads, 2)
        Threading.setThreads(before)
    }
}
