import Foundation
import MBFormat

extension ModelFile {
    /// What int8 quantization measured and chose (`QREC`, since format 1.2), or nil when the file has
    /// no record or one this build cannot read (then the file runs w8a32 unless told otherwise).
    public var quantizationRecord: QuantizationRecord? {
        guard let bytes = try? section(.quantizationRecord) else { return nil }
        return try? JSONDecoder().decode(QuantizationRecord.self, from: Data(bytes))
    }

    /// The execution the file records as its default: a mode and the int8 matrices that stay
    /// weight-only in it. Nil without a readable record.
    public var defaultExecution: (mode: ExecutionMode, weightOnly: Set<String>)? {
        guard let record = quantizationRecord, let mode = ExecutionMode(rawValue: record.defaultMode) else { return nil }
        return (mode, Set(record.weightOnly))
    }
}
