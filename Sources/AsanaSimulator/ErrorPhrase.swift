/// Makes the memorable `phrase` Asana attaches to 500 errors, in the style of `Asana/node-asana-phrase`
/// ("6 sad squid snuggle softly", Asana OpenAPI schema `Error.phrase`). Deterministic for a given counter value.
enum ErrorPhrase {
    private static let adjectives = ["sad", "happy", "brave", "quiet", "sleepy", "fuzzy", "shiny", "grumpy", "clever", "tiny"]
    private static let nouns = ["squid", "otters", "pandas", "geckos", "llamas", "owls", "moles", "crabs", "bees", "yaks"]
    private static let verbs = ["snuggle", "dance", "wander", "giggle", "ponder", "juggle", "whistle", "tumble", "paddle", "hum"]
    private static let adverbs = ["softly", "boldly", "gently", "loudly", "calmly", "swiftly", "oddly", "warmly", "slowly", "neatly"]

    /// The phrase for the `n`-th server error.
    static func make(_ n: UInt64) -> String {
        var x = n &+ 0x9E37_79B9_7F4A_7C15
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        x ^= x >> 31
        let count = Int(x % 9) + 2
        let a = adjectives[Int((x >> 8) % 10)]
        let b = nouns[Int((x >> 16) % 10)]
        let c = verbs[Int((x >> 24) % 10)]
        let d = adverbs[Int((x >> 32) % 10)]
        return "\(count) \(a) \(b) \(c) \(d)"
    }
}
