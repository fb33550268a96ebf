#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Small POSIX helpers for owner-only files (database and master key).
enum FileModes {
    /// The text of the current `errno`.
    static func lastError() -> String {
        String(cString: strerror(errno))
    }

    /// Makes `path` mode 0600: creates it empty first when `create` and it is missing.
    /// - Throws: ``AccessStoreError/fileSystem(path:message:)``.
    static func restrictToOwner(_ path: String, create: Bool) throws {
        if create {
            let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
            if fd < 0 {
                throw AccessStoreError.fileSystem(path: path, message: lastError())
            }
            defer { _ = close(fd) }
            if fchmod(fd, 0o600) != 0 {
                throw AccessStoreError.fileSystem(path: path, message: lastError())
            }
        } else if chmod(path, 0o600) != 0 {
            throw AccessStoreError.fileSystem(path: path, message: lastError())
        }
    }

    /// Creates `path` exclusively with mode 0600 and writes `bytes`; fails if it exists.
    /// - Returns: false when the file already exists.
    /// - Throws: ``AccessStoreError/fileSystem(path:message:)`` on any other failure (the partial file is removed).
    static func createExclusive(_ path: String, bytes: [UInt8]) throws -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == EEXIST { return false }
            throw AccessStoreError.fileSystem(path: path, message: lastError())
        }
        var ok = fchmod(fd, 0o600) == 0
        if ok {
            ok = bytes.withUnsafeBytes { buffer -> Bool in
                var offset = 0
                while offset < buffer.count {
                    let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return false
                    }
                    offset += written
                }
                return true
            }
        }
        if ok { ok = fsync(fd) == 0 }
        let message = ok ? "" : lastError()
        _ = close(fd)
        if !ok {
            _ = unlink(path)
            throw AccessStoreError.fileSystem(path: path, message: message)
        }
        return true
    }

    /// What `stat` says about a file: nil when it does not exist.
    struct Status {
        var isRegularFile: Bool
        /// Permission bits only (`st_mode & 0o7777`).
        var permissions: Int
        var size: Int
    }

    /// `stat(path)`; nil when missing.
    /// - Throws: ``AccessStoreError/fileSystem(path:message:)`` on errors other than ENOENT.
    static func status(_ path: String) throws -> Status? {
        var info = stat()
        if stat(path, &info) != 0 {
            if errno == ENOENT { return nil }
            throw AccessStoreError.fileSystem(path: path, message: lastError())
        }
        return Status(
            isRegularFile: (info.st_mode & S_IFMT) == S_IFREG,
            permissions: Int(info.st_mode & 0o7777),
            size: Int(info.st_size))
    }

    /// Reads at most `limit` bytes of `path`.
    /// - Throws: ``AccessStoreError/fileSystem(path:message:)``.
    static func readPrefix(_ path: String, limit: Int) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw AccessStoreError.fileSystem(path: path, message: lastError()) }
        defer { _ = close(fd) }
        var result = [UInt8](repeating: 0, count: limit)
        var total = 0
        while total < limit {
            let count = result.withUnsafeMutableBytes { buffer in
                read(fd, buffer.baseAddress! + total, limit - total)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw AccessStoreError.fileSystem(path: path, message: lastError())
            }
            if count == 0 { break }
            total += count
        }
        return Array(result[0..<total])
    }
}
