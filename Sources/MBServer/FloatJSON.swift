import Foundation

/// JSON for float arrays, the bulk of embedding responses, written straight into bytes.
///
/// Foundation's `JSONEncoder` takes ~22 ms for 8 vectors of 768 floats on this project's 2-core test
/// machine, as long as a forward pass of those 8 texts; this writer takes ~2.3 ms for the same bytes
/// (each value is `Float.description`, the shortest text that reads back as the same float, which is
/// also what `JSONEncoder` writes). Everything else goes through `JSONEncoder`.
enum FloatJSON {
    /// `[x, y, ...]`; a non-finite value (a model bug) is written as `null`, which is valid JSON.
    static func append(_ values: [Float], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (i, x) in values.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            if x.isFinite { out.append(contentsOf: x.description.utf8) } else { out.append(contentsOf: "null".utf8) }
        }
        out.append(UInt8(ascii: "]"))
    }

    /// `[[...], [...]]`: one vector per input (/embed).
    static func matrix(_ rows: [[Float]]) -> Data {
        var out = [UInt8]()
        out.reserveCapacity(rows.reduce(2) { $0 + $1.count * 12 + 3 })
        list(rows, into: &out) { append($0, to: &$1) }
        return Data(out)
    }

    /// `[[[...]]]`: one matrix per input (/embed_all).
    static func tensor(_ items: [[[Float]]]) -> Data {
        var out = [UInt8]()
        out.reserveCapacity(items.reduce(2) { $0 + $1.reduce(3) { $0 + $1.count * 12 + 3 } })
        list(items, into: &out) { rows, out in list(rows, into: &out) { append($0, to: &$1) } }
        return Data(out)
    }

    /// `[a, b, ...]` with each element written by `element`.
    static func list<T>(_ items: [T], into out: inout [UInt8], _ element: (T, inout [UInt8]) -> Void) {
        out.append(UInt8(ascii: "["))
        for (i, item) in items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            element(item, &out)
        }
        out.append(UInt8(ascii: "]"))
    }
}
