/// Every method of the protocol, in the order protocol.md §5 describes them. The server registers exactly
/// these (a test checks), `rpc.discover` describes them, and the schema tests walk them.
public let allAccessMethods: [any AccessMethod.Type] = [
    Ping.self, Discover.self, Authenticate.self, Sync.self, ListUsers.self, ListAccessChanges.self, ExportAccessReview.self, Provision.self,
    TestCredential.self, GetWorkspaceStatus.self,
    PutOAuthClient.self, ListOAuthClients.self, DeleteOAuthClient.self, OAuthStart.self, OAuthFinish.self,
    CreateToken.self, ListTokens.self, RevokeToken.self, PutCredential.self, ListCredentials.self, DeleteCredential.self,
    ListSyncRuns.self, GetSyncRun.self, ListAuditEvents.self,
]
