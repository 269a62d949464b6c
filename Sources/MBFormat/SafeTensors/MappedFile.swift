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

    /// Maps `path`. Throws `SafeTensorsError.io` naming the path and the failing call.
    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.systemError(path: path, operation: "open the file") }
        defer { close(fd) }

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
            return
        }
        let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let base, base != MAP_FAILED else {
            throw Self.systemError(path: path, operation: "memory-map the file")
        }
        mappedBase = base
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let mappedBase { munmap(mappedBase, bytes.count) }
    }

    private static func systemError(path: String, operation: String) -> SafeTensorsError {
        .io(path: path, operation: operation, reason: String(cString: strerror(errno)))
    }
}
