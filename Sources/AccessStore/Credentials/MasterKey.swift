import Crypto

/// The AES-256 key that seals credentials: 32 random bytes kept in a file of its own
/// (mode 0600), never in the database (README, "Threat model").
///
/// The file holds exactly the 32 raw key bytes.
public struct MasterKey: Sendable {
    /// Key length in bytes (AES-256).
    public static let byteCount = 32

    let key: SymmetricKey

    /// A key from raw bytes (for tests, or a key taken from a secret store).
    /// - Throws: ``AccessStoreError/masterKeyInvalid(path:)`` (path `"(bytes)"`) unless exactly 32 bytes.
    public init(rawBytes: [UInt8]) throws {
        guard rawBytes.count == Self.byteCount else {
            throw AccessStoreError.masterKeyInvalid(path: "(bytes)")
        }
        self.key = SymmetricKey(data: rawBytes)
    }

    private init(key: SymmetricKey) {
        self.key = key
    }

    /// A new random key (`SymmetricKey(size: .bits256)`), in memory only.
    public static func generate() -> MasterKey {
        MasterKey(key: SymmetricKey(size: .bits256))
    }

    /// `"sha256:"` + the first 12 hex digits of SHA-256 of the key: tells keys apart without revealing them.
    public var fingerprint: String {
        let digest = key.withUnsafeBytes { SHA256.hash(data: $0) }
        return "sha256:" + digest.prefix(6).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Writes a new random key to `path` (created exclusively, mode 0600) and returns it.
    /// The parent directory must exist.
    /// - Throws: ``AccessStoreError/masterKeyExists(path:)`` when `path` exists (it is never overwritten),
    ///   ``AccessStoreError/fileSystem(path:message:)`` when the file cannot be written.
    public static func create(at path: String) throws -> MasterKey {
        let key = generate()
        let bytes = key.key.withUnsafeBytes { Array($0) }
        guard try FileModes.createExclusive(path, bytes: bytes) else {
            throw AccessStoreError.masterKeyExists(path: path)
        }
        return key
    }

    /// Reads the key at `path`.
    /// - Throws: ``AccessStoreError/masterKeyMissing(path:)`` when there is no file;
    ///   ``AccessStoreError/masterKeyPermissions(path:mode:)`` when group or others have any permission
    ///   (`mode & 0o077 != 0`); ``AccessStoreError/masterKeyInvalid(path:)`` unless a regular file of exactly 32 bytes.
    public static func load(from path: String) throws -> MasterKey {
        guard let status = try FileModes.status(path) else {
            throw AccessStoreError.masterKeyMissing(path: path)
        }
        guard status.isRegularFile else {
            throw AccessStoreError.masterKeyInvalid(path: path)
        }
        if status.permissions & 0o077 != 0 {
            throw AccessStoreError.masterKeyPermissions(path: path, mode: status.permissions)
        }
        guard status.size == byteCount else {
            throw AccessStoreError.masterKeyInvalid(path: path)
        }
        let bytes = try FileModes.readPrefix(path, limit: byteCount + 1)
        guard bytes.count == byteCount else {
            throw AccessStoreError.masterKeyInvalid(path: path)
        }
        return MasterKey(key: SymmetricKey(data: bytes))
    }

    /// ``load(from:)`` when `path` exists, else ``create(at:)``.
    /// - Throws: as ``load(from:)`` and ``create(at:)``.
    public static func loadOrCreate(at path: String) throws -> MasterKey {
        if try FileModes.status(path) != nil {
            return try load(from: path)
        }
        do {
            return try create(at: path)
        } catch AccessStoreError.masterKeyExists {
            // Another process created it between our checks.
            return try load(from: path)
        }
    }
}
