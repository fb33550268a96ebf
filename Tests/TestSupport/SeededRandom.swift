import AsanaSimulator

/// The seeded generator tests use for random sequences that replay: the simulator's SplitMix64.
public typealias SeededRandom = SplitMix64
