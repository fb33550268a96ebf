/// Checks `condition` every `interval` until it holds or `limit` has passed, then once more; returns whether it held.
/// The bounds are generous: what they catch (a behaviour that never happens) does not come late, and a loaded
/// 2-core machine is slow. Cancellation ends the wait early (with that last check).
public func eventually(
    within limit: Duration = .seconds(30), every interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        do { try await Task.sleep(for: interval) } catch { break }
    }
    return try await condition()
}
