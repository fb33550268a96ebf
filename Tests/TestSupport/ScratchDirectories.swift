import Foundation
import Synchronization

/// Temporary directories that live as long as the test process: made on demand under the system's temporary
/// directory, removed with everything in them when the process exits normally (`atexit`), so that a test run leaves
/// no files behind (certificates and keys included) even where a test cannot say when it is done with them.
public enum ScratchDirectories {
    private static let made = Mutex<[String]>([])
    private static let removalAtExit: Void = { atexit { ScratchDirectories.removeAll() } }()

    /// A new, empty directory named `prefix` followed by a random suffix; its path.
    /// - Throws: what `FileManager.createDirectory` throws.
    public static func make(prefix: String) throws -> String {
        _ = removalAtExit
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        made.withLock { $0.append(path) }
        return path
    }

    private static func removeAll() {
        for path in made.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: path) }
    }
}
