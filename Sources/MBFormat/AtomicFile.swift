import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Failures of `writeAtomically` and `BufferedFileWriter`.
public enum AtomicFileError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The destination is (or resolves to) one of the inputs; writing would destroy it.
    case outputIsInput(output: String, input: String)
    /// A system call failed.
    case system(operation: String, path: String, reason: String)
    /// `write` was called after the writer was closed.
    case writerClosed(path: String)

    public var description: String {
        switch self {
        case let .outputIsInput(output, input):
            return "refusing to write \(output): it is the same file as the input \(input); choose another output path"
        case let .system(operation, path, reason):
            return "\(path): cannot \(operation): \(reason)"
        case let .writerClosed(path):
            return "\(path): write after the file was closed"
        }
    }

    static func fromErrno(_ operation: String, _ path: String) -> AtomicFileError {
        .system(operation: operation, path: path, reason: String(cString: strerror(errno)))
    }
}

/// Writes `url` all-or-nothing: readers see either the old file or the complete new one.
///
/// The body streams into `.<name>.tmp-<pid>-<random>` in the destination's directory (the
/// same filesystem, so the final `rename` is atomic). On success the temporary file is
/// fsynced, renamed over `url`, and the directory fsynced so the rename survives a crash.
/// If the body or any step throws, the temporary file is removed and an existing
/// destination is left untouched.
///
/// - Parameters:
///   - refusingInputs: files the body reads from. If `url` resolves to any of them
///     (after following symlinks, or by device and inode), nothing is written and
///     `AtomicFileError.outputIsInput` is thrown: `mbconvert x.safetensors -o x.safetensors`
///     would otherwise replace its own input while still reading it.
///   - bufferSize: the writer's buffer; writes at least this large bypass it.
public func writeAtomically(
    to url: URL,
    refusingInputs inputs: [URL] = [],
    bufferSize: Int = 1 << 20,
    _ body: (BufferedFileWriter) throws -> Void
) throws {
    let destination = url.standardizedFileURL
    for input in inputs where sameFile(destination, input.standardizedFileURL) {
        throw AtomicFileError.outputIsInput(output: url.path, input: input.path)
    }

    let directory = destination.deletingLastPathComponent().path
    let random = String(UInt64.random(in: 0...UInt64.max), radix: 16)
    let tempPath = directory + "/.\(destination.lastPathComponent).tmp-\(getpid())-\(random)"
    let fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw AtomicFileError.fromErrno("create a temporary file", tempPath) }

    let writer = BufferedFileWriter(fileDescriptor: fd, path: tempPath, bufferSize: bufferSize)
    do {
        try body(writer)
        try writer.flush()
        guard fsync(fd) == 0 else { throw AtomicFileError.fromErrno("fsync", tempPath) }
        try writer.close()
        guard rename(tempPath, destination.path) == 0 else {
            throw AtomicFileError.fromErrno("rename the temporary file over", destination.path)
        }
    } catch {
        writer.closeIgnoringErrors()
        unlink(tempPath)
        throw error
    }
    try fsyncDirectory(directory)
}

/// Opens a directory and fsyncs it, so a rename inside it is durable.
private func fsyncDirectory(_ path: String) throws {
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { throw AtomicFileError.fromErrno("open the directory", path) }
    defer { close(fd) }
    // Some filesystems cannot fsync directories (EINVAL); the rename has happened anyway.
    guard fsync(fd) == 0 || errno == EINVAL else { throw AtomicFileError.fromErrno("fsync the directory", path) }
}

/// Whether two paths name the same file: equal after resolving symlinks (for a destination
/// that does not exist yet, its directory is resolved), or equal device and inode when both
/// exist (catches hard links and bind mounts).
private func sameFile(_ a: URL, _ b: URL) -> Bool {
    if resolved(a) == resolved(b) { return true }
    var statA = stat(), statB = stat()
    guard stat(a.path, &statA) == 0, stat(b.path, &statB) == 0 else { return false }
    return statA.st_dev == statB.st_dev && statA.st_ino == statB.st_ino
}

private func resolved(_ url: URL) -> String {
    if let real = realpath(url.path, nil) {
        defer { free(real) }
        return String(cString: real)
    }
    let parent = url.deletingLastPathComponent().path
    guard let realParent = realpath(parent, nil) else { return url.path }
    defer { free(realParent) }
    return String(cString: realParent) + "/" + url.lastPathComponent
}

/// A buffered, append-only writer over a file descriptor, for streaming large outputs.
///
/// Model files are hundreds of MB; tensors are appended as they are produced so the whole
/// file never sits in memory. `position` is the number of bytes written so far, which
/// writers use to record offsets and to pad to alignment.
public final class BufferedFileWriter {
    /// The path being written (a temporary path when used through `writeAtomically`).
    public let path: String
    /// Bytes written so far, including those still in the buffer.
    public private(set) var position = 0

    private var fd: Int32
    private let buffer: UnsafeMutableRawBufferPointer
    private var buffered = 0

    /// Wraps an open descriptor; the writer owns it and closes it in `close()`.
    public init(fileDescriptor: Int32, path: String, bufferSize: Int = 1 << 20) {
        self.fd = fileDescriptor
        self.path = path
        self.buffer = .allocate(byteCount: max(bufferSize, 4096), alignment: 16)
    }

    deinit {
        closeIgnoringErrors()
        buffer.deallocate()
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard fd >= 0 else { throw AtomicFileError.writerClosed(path: path) }
        guard !bytes.isEmpty else { return }
        if bytes.count >= buffer.count {
            try flush()
            try writeAll(bytes)
        } else {
            if buffered + bytes.count > buffer.count { try flush() }
            UnsafeMutableRawBufferPointer(rebasing: buffer[buffered..<(buffered + bytes.count)]).copyMemory(from: bytes)
            buffered += bytes.count
        }
        position += bytes.count
    }

    public func write(_ data: Data) throws {
        try data.withUnsafeBytes { try write($0) }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Appends a value's in-memory representation (use `.littleEndian` for file formats).
    public func write<T: FixedWidthInteger>(integer value: T) throws {
        try withUnsafeBytes(of: value) { try write($0) }
    }

    /// Appends `count` zero bytes (padding) without allocating them.
    public func write(zeros count: Int) throws {
        var remaining = count
        while remaining > 0 {
            guard fd >= 0 else { throw AtomicFileError.writerClosed(path: path) }
            if buffered == buffer.count { try flush() }
            let chunk = min(remaining, buffer.count - buffered)
            UnsafeMutableRawBufferPointer(rebasing: buffer[buffered..<(buffered + chunk)]).initializeMemory(as: UInt8.self, repeating: 0)
            buffered += chunk
            position += chunk
            remaining -= chunk
        }
    }

    /// Pads with zeros until `position` is a multiple of `alignment`.
    public func pad(toMultipleOf alignment: Int) throws {
        precondition(alignment > 0, "alignment must be positive")
        let remainder = position % alignment
        if remainder != 0 { try write(zeros: alignment - remainder) }
    }

    /// Hands the body the next `count` bytes of the buffer to fill in place, avoiding a
    /// temporary copy when producing data (for example converting tensors element by element).
    /// The body must initialize all `count` bytes. Large requests are split into chunks;
    /// the body is called once per chunk with the chunk's offset within the request.
    public func withWritableBytes(count: Int, _ body: (_ chunk: UnsafeMutableRawBufferPointer, _ offset: Int) throws -> Void) throws {
        var done = 0
        while done < count {
            guard fd >= 0 else { throw AtomicFileError.writerClosed(path: path) }
            if buffered == buffer.count { try flush() }
            let chunk = min(count - done, buffer.count - buffered)
            try body(UnsafeMutableRawBufferPointer(rebasing: buffer[buffered..<(buffered + chunk)]), done)
            buffered += chunk
            position += chunk
            done += chunk
        }
    }

    /// Writes buffered bytes to the file.
    public func flush() throws {
        guard buffered > 0 else { return }
        try writeAll(UnsafeRawBufferPointer(rebasing: buffer[0..<buffered]))
        buffered = 0
    }

    /// Flushes and closes the descriptor. Further writes throw.
    public func close() throws {
        guard fd >= 0 else { return }
        try flush()
        let result = systemClose(fd)
        fd = -1
        guard result == 0 else { throw AtomicFileError.fromErrno("close", path) }
    }

    func closeIgnoringErrors() {
        guard fd >= 0 else { return }
        _ = systemClose(fd)
        fd = -1
        buffered = 0
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = systemWrite(fd, base + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw AtomicFileError.fromErrno("write", path)
            }
            offset += written
        }
    }
}

// Module-level wrappers: inside `BufferedFileWriter`, `close` and `write` name its methods.
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }
