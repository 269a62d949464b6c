import Foundation
import MBConverter
import MBFormat
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
    /// One thread and two give bit-identical outputs (no split divides a reduction), on fp32 and
    /// int8 files in both execution modes, for small inputs (the few-row kernels) and large ones.
    func testThreadCountDoesNotChangeResults() throws {
        let (fp32, int8) = try FixtureModelFiles.fp32AndInt8("tokcls-f32")
        let before = Threading.threads
        defer { Threading.setThreads(before) }
        var generator = SplitMix64(seed: 9)
        let inputs: [[[Int32]]] = [[(0..<7).map { _ in Int32(generator.next() % 400) }],
                                   (0..<3).map { n in (0..<(150 + 40 * n)).map { _ in Int32(generator.next() % 400) } }]
        for (url, mode) in [(fp32, ExecutionMode.w8a32), (int8, .w8a32), (int8, .w8a8)] {
            let model = try ModernBert(contentsOf: url, mode: mode)
            for input in inputs {
                Threading.setThreads(1)
                let one = try model.forward(input).lastHiddenState
                Threading.setThreads(2)
                XCTAssertEqual(Threading.threads, 2)
                let two = try model.forward(input).lastHiddenState
                XCTAssertEqual(one, two, "\(url.lastPathComponent) \(mode) \(input.map(\.count))")
            }
        }
    }
}
