/// A list answer: `{"items": [...]}` (`listTokens`, `listCredentials`, `listSyncRuns`, `listOAuthClients`).
public struct ItemList<Item: Codable & Sendable>: Codable, Sendable {
    public var items: [Item]

    public init(items: [Item]) {
        self.items = items
    }
}

extension ItemList: Equatable where Item: Equatable {}

/// A yes/no answer: `{"done": Bool}` (`revokeToken`, `deleteOAuthClient`): whether something was there to change.
public struct Done: Codable, Sendable, Equatable {
    public var done: Bool

    public init(done: Bool) {
        self.done = done
    }
}
