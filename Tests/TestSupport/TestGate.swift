/// A gate calls wait at until a test opens it: a handler that must stay running (to hold a request in
/// flight, a task alive) calls ``pass()``; the test calls ``open()`` when it has seen what it wanted. Open for good
/// once opened.
public actor TestGate {
    private var isOpen = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init() {}

    /// Returns at once when the gate is open, else when it opens.
    public func pass() async {
        guard !isOpen else { return }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Opens the gate: every call waiting in ``pass()`` returns, and later ones do not wait.
    public func open() {
        isOpen = true
        for continuation in waiting { continuation.resume() }
        waiting = []
    }
}
