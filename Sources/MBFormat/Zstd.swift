import CZstd
import Foundation

/// zstd compression for the model file's text sections (the tokenizer is ~3.5 MB of JSON, ~0.7 MB compressed).
public enum Zstd {
    public static func compress(_ input: [UInt8], level: Int32 = 19) throws -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        var out = [UInt8](repeating: 0, count: bound)
        let written = input.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                ZSTD_compress(dst.baseAddress, bound, src.baseAddress, src.count, level)
            }
        }
        if ZSTD_isError(written) != 0 { throw FormatError.compression(String(cString: ZSTD_getErrorName(written))) }
        out.removeSubrange(written...)
        return out
    }

    /// Decompresses a frame whose decoded size the caller knows (it is stored in the section directory).
    /// The frame must declare that size itself, so a damaged length never causes a large allocation.
    public static func decompress(_ input: UnsafeRawBufferPointer, decodedLength: Int) throws -> [UInt8] {
        let declared = ZSTD_getFrameContentSize(input.baseAddress, input.count)
        guard declared == UInt64(decodedLength) else {
            let what = declared >= ZSTD_CONTENTSIZE_ERROR ? "no content size" : "\(declared) bytes"
            throw FormatError.compression("the frame declares \(what), the section directory says \(decodedLength)")
        }
        var out = [UInt8](repeating: 0, count: decodedLength)
        let written = out.withUnsafeMutableBytes { dst in
            ZSTD_decompress(dst.baseAddress, decodedLength, input.baseAddress, input.count)
        }
        if ZSTD_isError(written) != 0 { throw FormatError.compression(String(cString: ZSTD_getErrorName(written))) }
        guard written == decodedLength else {
            throw FormatError.compression("decoded \(written) bytes, directory says \(decodedLength)")
        }
        return out
    }
}
