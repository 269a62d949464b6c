#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory, unmapped when the last reference goes away.
///
/// Checkpoints are hundreds of MB; mapping lets the kernel page tensors in on demand and
/// share them with the page cache instead of copying the file into the heap.
/// Caveat inherent to mmap: if another process truncates the file while it is mapped,
/// touching the lost pages raises SIGBUS. Checkpoints are not edited in place in practice.
public final class MappedFile: @unchecked Sendable {
    public let bytes: UnsafeRawBufferPointer
    private let mappedBase: UnsafeMutableRawPointer?
    /// Kept open for `read(at:count:into:)`.
    private let fd: Int32

    /// Maps `path`. Throws `SafeTensorsError.io` naming the path and the failing call.
    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.systemError(path: path, operation: "open the file") }
        self.fd = fd
        var mapped = false
        defer { if !mapped { close(fd) } }

        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Self.systemError(path: path, operation: "stat the file") }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw SafeTensorsError.io(path: path, operation: "read the file", reason: "it is not a regular file")
        }
        let size = Int(info.st_size)
        guard size > 0 else {
            // mmap rejects zero-length mappings; an empty file has nothing to map anyway.
            mappedBase = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            mapped = true
            return
        }
        let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let base, base != MAP_FAILED else {
            throw Self.systemError(path: path, operation: "memory-map the file")
        }
        mappedBase = base
        bytes = UnsafeRawBufferPointer(start: base, count: size)
        mapped = true
    }

    deinit {
        if let mappedBase { munmap(mappedBase, bytes.count) }
        close(fd)
    }

    /// Copies `count` bytes at `offset` with pread instead of touching the mapping.
    ///
    /// Scattered small reads through a mapping fault in whole neighbourhoods of pages (the kernel
    /// maps up to 16 cached pages around each fault), which then count as this process's memory;
    /// a pread of a 768-byte embedding row adds nothing. Returns false if the read fails or is short
    /// (callers fall back to the mapping).
    public func read(at offset: Int, count: Int, into destination: UnsafeMutableRawPointer) -> Bool {
        guard offset >= 0, count >= 0, offset + count <= bytes.count else { return false }
        var done = 0
        while done < count {
            let n = pread(fd, destination + done, count - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            done += n
        }
        return true
    }

    private static func systemError(path: String, operation: String) -> SafeTensorsError {
        .io(path: path, operation: operation, reason: String(cString: strerror(errno)))
    }
}
