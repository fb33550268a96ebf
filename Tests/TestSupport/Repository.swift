import Foundation

/// The checkout the tests were built from.
public enum Repository {
    /// The repository's root directory (found from this file's path: `Tests/TestSupport/Repository.swift`).
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
