/// Element types a tensor can have, in safetensors and in our model file.
///
/// The raw values are the codes written in the model file's tensor table (see `Formats/`);
/// they never change once published.
public enum DType: UInt8, Sendable, CaseIterable, Codable {
    case f32 = 0
    case f16 = 1
    case bf16 = 2
    case i8 = 3
    case i32 = 4
    case i64 = 5
    case u8 = 6

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .f32, .i32: return 4
        case .f16, .bf16: return 2
        case .i8, .u8: return 1
        case .i64: return 8
        }
    }

    /// The dtype's name as safetensors spells it ("F32", "BF16", ...).
    public var safetensorsName: String {
        switch self {
        case .f32: return "F32"
        case .f16: return "F16"
        case .bf16: return "BF16"
        case .i8: return "I8"
        case .i32: return "I32"
        case .i64: return "I64"
        case .u8: return "U8"
        }
    }

    public init?(safetensorsName: String) {
        guard let match = DType.allCases.first(where: { $0.safetensorsName == safetensorsName }) else { return nil }
        self = match
    }
}
