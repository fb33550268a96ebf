/// A command that could not do its work, for a reason the message explains; exits with status 1
/// and prints `Error: <message>` (ArgumentParser's `ValidationError` is for bad arguments and prints usage).
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
