#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The exclusive lock on a data directory: `flock(LOCK_EX | LOCK_NB)` on `<dir>/asana-accessd.lock`
/// (mode 0600), which holds the holder's pid and what it runs (`<pid>\n<what>\n`).
///
/// `serve` holds it for the whole life of the process; every offline command that writes (init,
/// credentials put/delete, tokens create/revoke, oauth-client put/delete, rotate-key) holds it
/// while it runs. Read-only commands do not take it. The kernel releases the lock when the holder
/// exits, however it exits (`kill -9` included), so a stale lock file is harmless: the pid in it
/// only names the holder while the lock is held. `flock` locks belong to the open file description,
/// so a second ``acquire(directory:purpose:)`` in the same process is refused too.
///
/// Release by letting the value go (or ``release()``).
public final class DataDirectoryLock: @unchecked Sendable {
    /// The lock file's name inside the data directory.
    public static let fileName = "asana-accessd.lock"

    /// The lock file's path.
    public let path: String
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { release() }

    /// Takes the lock of `directory` (which must exist; it is not created) and writes this process's
    /// pid and `purpose` (e.g. `serve`, `tokens create`) into the lock file.
    /// - Throws: ``AccessStoreError/dataDirectoryLocked(lockPath:holderPid:)`` when another holder has it,
    ///   at once (it never waits); ``AccessStoreError/fileSystem(path:message:)`` when the file cannot be opened.
    public static func acquire(directory: String, purpose: String) throws -> DataDirectoryLock {
        let path = (directory as NSString).appendingPathComponent(fileName)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if fd < 0 { throw AccessStoreError.fileSystem(path: path, message: FileModes.lastError()) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            let failure = errno
            let holder = holderPid(fd)
            _ = close(fd)
            if failure == EWOULDBLOCK || failure == EAGAIN {
                throw AccessStoreError.dataDirectoryLocked(lockPath: path, holderPid: holder)
            }
            throw AccessStoreError.fileSystem(path: path, message: String(cString: strerror(failure)))
        }
        let text = Array("\(getpid())\n\(purpose)\n".utf8)
        var ok = ftruncate(fd, 0) == 0
        if ok {
            ok = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } == text.count
        }
        if !ok {
            let message = FileModes.lastError()
            _ = close(fd)
            throw AccessStoreError.fileSystem(path: path, message: message)
        }
        return DataDirectoryLock(path: path, descriptor: fd)
    }

    /// The pid written in an existing lock file, nil when there is none or it is not a number.
    public static func holderPid(directory: String) -> Int32? {
        let path = (directory as NSString).appendingPathComponent(fileName)
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { _ = close(fd) }
        return holderPid(fd)
    }

    private static func holderPid(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self)
        return text.split(separator: "\n").first.flatMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// Releases the lock (closing the file; the file itself stays). Idempotent.
    public func release() {
        guard descriptor >= 0 else { return }
        _ = close(descriptor)
        descriptor = -1
    }
}
