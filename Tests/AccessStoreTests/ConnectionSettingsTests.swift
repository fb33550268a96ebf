import Foundation
import GRDB
import Testing
@testable import AccessStore

/// What every SQLite connection of a store is set up with (``SQLiteAccessStore/makeConfiguration(_:)``).
@Suite("SQLite connections")
struct ConnectionSettingsTests {
    @Test("every connection, the writer and each reader, keeps up to 32 MiB of pages in memory", arguments: [false, true])
    func pageCache(fileStore: Bool) async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let store = try makeStore(fileStore: fileStore, in: dir)
        defer { try? store.close() }
        // A negative cache_size is in KiB (https://www.sqlite.org/pragma.html#pragma_cache_size).
        #expect(try await store.dbWriter.read { try Int.fetchOne($0, sql: "PRAGMA cache_size") } == -32768)
        #expect(try await store.dbWriter.write { try Int.fetchOne($0, sql: "PRAGMA cache_size") } == -32768)
    }
}
