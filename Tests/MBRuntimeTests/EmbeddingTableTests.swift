import Foundation
import MBConverter
import MBFormat
@testable import MBRuntime
import XCTest

/// Token embeddings read with pread give exactly the rows read through the mapping, in every
/// storage the converter writes (fp32, fp16, int8 per row, int8 in the 16-row panel order).
final class EmbeddingTableTests: XCTestCase {
    func testReadRowsEqualMappedRowsInEveryStorage() throws {
        // Vocabulary 1000 keeps int8 rows row-major; 400 (a multiple of 16) puts them in panels.
        var files: [URL] = []
        for fixture in ["mlm-legacy-f32", "tokcls-f32"] {
            let dir = try TestPaths.temporaryDirectory()
            let fp32 = dir.appendingPathComponent("f32.mbc")
            _ = try Converter(directory: TestPaths.fixtures.appendingPathComponent(fixture)).convert(to: fp32)
            files.append(fp32)
            for (name, options) in [("f16.mbc", QuantizationPlan.Options(target: .fp16)),
                                    ("int8.mbc", QuantizationPlan.Options(target: .int8))] {
                let out = dir.appendingPathComponent(name)
                let source = try ModelFileTensorSource(url: fp32)
                _ = try Quantizer(source: source, plan: QuantizationPlan(config: source.config, options: options)).write(to: out)
                files.append(out)
            }
        }
        var storages: Set<String> = []
        for url in files {
            let file = try ModelFile(url: url)
            let name = "embeddings.tok_embeddings.weight"
            let matrix = try WeightMatrix(file: file, record: XCTUnwrap(file.record(name)))
            storages.insert("\(matrix.storage)".components(separatedBy: "(").first!)
            let table = EmbeddingTable(matrix: matrix, file: file, name: name, overridden: false)
            let rows = matrix.rows, cols = matrix.cols
            let ids: [Int32] = [0, 1, 15, 16, 17, Int32(rows / 2), Int32(rows - 17), Int32(rows - 1), 3, 3]
            var read = [Float](repeating: .nan, count: ids.count * cols)
            table.lookup(ids, into: &read)
            var mapped = [Float](repeating: .nan, count: ids.count * cols)
            for (i, id) in ids.enumerated() {
                mapped.withUnsafeMutableBufferPointer { matrix.widenRows(Int(id), count: 1, into: $0.baseAddress! + i * cols) }
            }
            XCTAssertEqual(read, mapped, url.path)
        }
        XCTAssertEqual(storages, ["f32", "f16", "int8", "int8Panels"], "the test should cover these storages")
    }
}
