#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// `deploy/systemd/asana-accessd.service` is `Type=notify`: the real server must send systemd's `READY=1`
/// (sd_notify(3)) to `$NOTIFY_SOCKET` once its listener is bound, and run as before without the variable.
@Suite("End to end: systemd readiness (sd_notify)", .serialized)
struct SystemdNotifyEndToEndTests {
    @Test("serve sends READY=1, its port in STATUS= and its pid in MAINPID= to $NOTIFY_SOCKET, a path or an abstract name",
          arguments: [false, true])
    func readyAfterListening(abstract: Bool) async throws {
        let dir = try await DataDirectoryEndToEndTests.Directory()
        defer { dir.cleanup() }
        try await dir.makeCertificates()
        let name = abstract ? "@asana-accessd-test-\(UUID().uuidString.prefix(8))"
                            : (dir.root as NSString).appendingPathComponent("notify.sock")
        let listener = try DatagramListener(address: name)
        defer { listener.close() }

        let server = try await RunningProcess.start("asana-accessd", dir.serveArguments, environment: ["NOTIFY_SOCKET": name])
        defer { server.stopNow() }
        let port = try #require(server.announcedPort)
        let message = try #require(try await listener.receive(timeoutSeconds: 60), "no datagram on \(name) within 60 s")
        let lines = message.split(separator: "\n").map(String.init)
        #expect(lines.contains("READY=1"), "\(lines)")
        #expect(lines.contains("STATUS=listening on 127.0.0.1:\(port)"), "\(lines)")
        #expect(lines.contains("MAINPID=\(server.process.processIdentifier)"), "\(lines)")
        #expect(await server.stop() == 0)
    }

    @Test("a NOTIFY_SOCKET nobody listens on is logged and the server serves on")
    func unreachableNotifySocketIsNotFatal() async throws {
        let dir = try await DataDirectoryEndToEndTests.Directory()
        defer { dir.cleanup() }
        try await dir.makeCertificates()
        let missing = (dir.root as NSString).appendingPathComponent("nobody.sock")
        let server = try await RunningProcess.start("asana-accessd", dir.serveArguments, environment: ["NOTIFY_SOCKET": missing])
        #expect(server.announcedPort != nil)
        #expect(server.process.isRunning)
        #expect(await server.stop() == 0)
    }
}

/// An `AF_UNIX` datagram socket bound to a path or (`@name`) an abstract name: systemd's side of sd_notify.
private final class DatagramListener {
    private let descriptor: Int32

    init(address: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw HarnessError("socket failed: errno \(errno)") }
        var bytes = Array(address.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &storage.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout.offset(of: \sockaddr_un.sun_path)! + bytes.count)
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else { throw HarnessError("bind \(address) failed: errno \(errno)") }
    }

    /// One datagram as text, or nil when none arrives within `timeoutSeconds`; waits on a thread of its own
    /// (``onOwnThread(_:)``).
    func receive(timeoutSeconds: Int32) async throws -> String? {
        let descriptor = descriptor
        return try await onOwnThread {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, timeoutSeconds * 1000)
            guard ready > 0 else { return nil }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count >= 0 else { throw HarnessError("recv failed: errno \(errno)") }
            return String(decoding: buffer.prefix(count), as: UTF8.self)
        }
    }

    func close() { _ = Glibc.close(descriptor) }
}
