/// Weight matrices held in memory that replace the file's tensors of the same names when a model
/// is loaded.
///
/// Why: sensitivity analysis (`mbconvert quantize --auto`) runs the model once per candidate
/// layer with only that layer quantized; writing a model file per trial would cost a full file
/// write each time. The buffers live as long as this object, which the model keeps.
public final class WeightOverrides: @unchecked Sendable {
    private var int8: [String: (q: UnsafeMutablePointer<Int8>, scales: UnsafeMutablePointer<Float>, rows: Int, cols: Int)] = [:]
    private var f32: [String: (p: UnsafeMutablePointer<Float>, rows: Int, cols: Int)] = [:]

    public init() {}

    public var names: [String] { Array(int8.keys) + Array(f32.keys) }

    /// Replaces `name` ([rows, cols]) with int8 rows `q` and one scale per row.
    public func setInt8(_ name: String, rows: Int, cols: Int, values q: [Int8], scales: [Float]) {
        precondition(q.count == rows * cols && scales.count == rows, "override \(name): sizes do not match [\(rows), \(cols)]")
        remove(name)
        let qp = UnsafeMutablePointer<Int8>.allocate(capacity: q.count)
        qp.initialize(from: q, count: q.count)
        let sp = UnsafeMutablePointer<Float>.allocate(capacity: rows)
        sp.initialize(from: scales, count: rows)
        int8[name] = (qp, sp, rows, cols)
    }

    /// Replaces `name` ([rows, cols]) with fp32 values.
    public func setF32(_ name: String, rows: Int, cols: Int, values: [Float]) {
        precondition(values.count == rows * cols, "override \(name): sizes do not match [\(rows), \(cols)]")
        remove(name)
        let p = UnsafeMutablePointer<Float>.allocate(capacity: values.count)
        p.initialize(from: values, count: values.count)
        f32[name] = (p, rows, cols)
    }

    public func remove(_ name: String) {
        if let old = int8.removeValue(forKey: name) { old.q.deallocate(); old.scales.deallocate() }
        if let old = f32.removeValue(forKey: name) { old.p.deallocate() }
    }

    func matrix(_ name: String) -> WeightMatrix? {
        if let e = int8[name] { return WeightMatrix(storage: .int8(e.q, scales: e.scales), rows: e.rows, cols: e.cols) }
        if let e = f32[name] { return WeightMatrix(storage: .f32(e.p), rows: e.rows, cols: e.cols) }
        return nil
    }

    deinit {
        for name in names { remove(name) }
    }
}
