import Foundation
import MBFormat
import XCTest

/// Reference outputs written by Scripts/make_golden.py from transformers in fp32.
struct Golden {
    let file: SafeTensorsFile

    init(_ url: URL) throws {
        file = try SafeTensorsFile(url: url)
    }

    var sequenceCount: Int { file.names.filter { $0.hasPrefix("input_ids.") }.count }

    func inputIds(_ i: Int) throws -> [Int32] {
        try file.rawBytes("input_ids.\(i)").bindMemory(to: Int32.self).map { $0 }
    }

    func floats(_ name: String) throws -> [Float] { try file.floats(name) }

    func has(_ name: String) -> Bool { file.info(name) != nil }

    func logitsRows(_ i: Int) throws -> [Int]? {
        guard has("logits_rows.\(i)") else { return nil }
        return try file.rawBytes("logits_rows.\(i)").bindMemory(to: Int32.self).map { Int($0) }
    }
}

/// The parity metric the project promises: max |ours - reference| divided by the reference's
/// standard deviation (or its magnitude when it has a single value). Different sizes fail the
/// calling test (and give infinity) rather than stopping the whole run.
func relativeError(_ ours: some Collection<Float>, _ reference: [Float], file: StaticString = #filePath, line: UInt = #line) -> Double {
    guard ours.count == reference.count, !reference.isEmpty else {
        XCTFail("size mismatch: \(ours.count) values vs \(reference.count) in the reference", file: file, line: line)
        return .infinity
    }
    let n = Double(reference.count)
    let mean = reference.reduce(0.0) { $0 + Double($1) } / n
    let variance = reference.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
    let scale = reference.count > 1 ? variance.squareRoot() : max(abs(mean), 1)
    var worst = 0.0
    for (a, b) in zip(ours, reference) { worst = max(worst, abs(Double(a) - Double(b))) }
    return worst / max(scale, 1e-12)
}
