/// Problems found while reading or writing a model file. Every case says what is wrong in words a user can act on.
public enum FormatError: Error, CustomStringConvertible, Equatable {
    case notAModelFile(path: String)
    case unsupportedVersion(path: String, major: UInt16, minor: UInt16)
    case truncated(path: String, expected: UInt64, actual: UInt64)
    case checksumMismatch(path: String, what: String)
    case malformed(path: String, what: String)
    case missingSection(path: String, section: String)
    case compression(String)
    case io(path: String, what: String)

    public var description: String {
        switch self {
        case let .notAModelFile(path):
            return "\(path): not an mbconvert model file (bad magic bytes); convert a Hugging Face directory with `mbconvert convert`"
        case let .unsupportedVersion(path, major, minor):
            return "\(path): model file format version \(major).\(minor) is not supported by this build (reads \(ModelFileLayout.versionMajor).x)"
        case let .truncated(path, expected, actual):
            return "\(path): file is truncated: header says \(expected) bytes, file has \(actual)"
        case let .checksumMismatch(path, what):
            return "\(path): checksum mismatch in \(what): the file is corrupted"
        case let .malformed(path, what):
            return "\(path): malformed model file: \(what)"
        case let .missingSection(path, section):
            return "\(path): model file has no \(section) section"
        case let .compression(why):
            return "zstd: \(why)"
        case let .io(path, what):
            return "\(path): \(what)"
        }
    }
}
