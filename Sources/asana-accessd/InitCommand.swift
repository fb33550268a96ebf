import ArgumentParser

/// `asana-accessd init`: creates the data directory, the master key (0600) and the database.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create the data directory, the master key and the database.")

    @OptionGroup var data: DataOptions

    func run() throws {
        let (_, created) = try data.initializeStore()
        print(created ? "created master key \(data.resolvedMasterKeyPath) (mode 0600); keep a copy: without it stored credentials cannot be opened"
                      : "master key \(data.resolvedMasterKeyPath) already exists; left as it is")
        print("database \(data.databasePath) is ready")
    }
}
