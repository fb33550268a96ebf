#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// systemd's readiness protocol (`Type=notify`), without libsystemd: one datagram of newline-separated
/// `KEY=VALUE` assignments sent to the `AF_UNIX` socket named by `$NOTIFY_SOCKET`.
///
/// Protocol: sd_notify(3), https://www.freedesktop.org/software/systemd/man/latest/sd_notify.html: the
/// variable holds a file-system path (`/run/systemd/notify`) or, starting with `@`, an abstract socket name;
/// `READY=1` says start-up is finished, `STOPPING=1` that shutdown began, `STATUS=` is a free-form line that
/// `systemctl status` shows. Without `$NOTIFY_SOCKET` (not started by systemd, or `Type=exec`) nothing is sent.
struct SystemdNotifier: Sendable {
    /// The socket address from `$NOTIFY_SOCKET`; nil when the variable is unset or empty.
    let socketPath: String?

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Sends `assignments` (e.g. `["READY=1", "STATUS=listening on 127.0.0.1:7443"]`) as one datagram.
    /// - Returns: false when there is no `$NOTIFY_SOCKET`, true when the datagram was sent.
    /// - Throws: ``Failure`` when the address is longer than `sun_path` (108 bytes on Linux) or a system call
    ///   fails (the message names it and `errno`). A failed notification does not stop the server; the caller logs it.
    @discardableResult
    func notify(_ assignments: [String]) throws -> Bool {
        guard let socketPath else { return false }
        var pathBytes = Array(socketPath.utf8)
        // An abstract socket's name starts with a NUL byte in the address, written `@` in the variable.
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }
        var address = sockaddr_un()
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else {
            throw Failure("NOTIFY_SOCKET is \(pathBytes.count) bytes long; an AF_UNIX address holds at most \(capacity - 1)")
        }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }
        #if canImport(Glibc)
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let descriptor = socket(AF_UNIX, SOCK_DGRAM, 0)
        #endif
        guard descriptor >= 0 else { throw Failure("socket(AF_UNIX, SOCK_DGRAM) failed: errno \(errno)") }
        defer { close(descriptor) }
        let message = Array(assignments.joined(separator: "\n").utf8)
        let length = socklen_t(MemoryLayout.offset(of: \sockaddr_un.sun_path)! + pathBytes.count)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                message.withUnsafeBytes { sendto(descriptor, $0.baseAddress, $0.count, 0, socketAddress, length) }
            }
        }
        guard sent == message.count else { throw Failure("sendto(\(socketPath)) failed: errno \(errno)") }
        return true
    }

    /// Why a notification could not be sent.
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
