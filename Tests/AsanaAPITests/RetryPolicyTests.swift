import TestSupport
import Testing

@testable import AsanaAPI

@Suite("RetryPolicy")
struct RetryPolicyTests {
    let policy = RetryPolicy(configuration: AsanaClientConfiguration())

    @Test("the defaults match the contract")
    func defaults() {
        let configuration = AsanaClientConfiguration()
        #expect(configuration.baseURL == "https://app.asana.com/api/1.0")
        #expect(configuration.pageSize == 100)
        #expect(configuration.maxAttempts == 5)
        #expect(configuration.backoffBase == .milliseconds(500))
        #expect(configuration.backoffCap == .seconds(8))
        #expect(configuration.maxRetryAfter == .seconds(120))
        #expect(configuration.requestTimeout == .seconds(30))
        #expect(configuration.maxResponseBytes == 16 * 1024 * 1024)
        #expect(AsanaClientConfiguration(baseURL: "http://h/api/1.0//").normalizedBaseURL == "http://h/api/1.0")
        #expect(AsanaClientConfiguration(pageSize: -3).effectivePageSize == 1)
        #expect(AsanaClientConfiguration(pageSize: 101).effectivePageSize == 100)
    }

    @Test("the backoff ceiling doubles from the base and stops at the cap")
    func ceiling() {
        let ceilings = (1...7).map { policy.backoffCeiling(retry: $0) }
        #expect(
            ceilings == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8), .seconds(8)])
        #expect(policy.backoffCeiling(retry: Int.max) == .seconds(8))
        #expect(policy.backoffCeiling(retry: 0) == .milliseconds(500))
        let zero = RetryPolicy(maxAttempts: 3, backoffBase: .zero, backoffCap: .seconds(1), maxRetryAfter: .seconds(1))
        #expect(zero.backoffCeiling(retry: Int.max) == .zero)
        let baseAboveCap = RetryPolicy(
            maxAttempts: 3, backoffBase: .seconds(10), backoffCap: .seconds(1), maxRetryAfter: .seconds(1))
        #expect(baseAboveCap.backoffCeiling(retry: 1) == .seconds(1))
    }

    @Test("full jitter stays within 0...ceiling and actually varies")
    func jitter() {
        var generator = SeededRandom(seed: 42)
        for retry in 1...6 {
            let ceiling = policy.backoffCeiling(retry: retry)
            let samples = (0..<200).map { _ in policy.backoff(retry: retry, using: &generator) }
            #expect(samples.allSatisfy { $0 >= .zero && $0 <= ceiling })
            #expect(Set(samples.map { nanoseconds($0) }).count > 100)
        }
        let systemSamples = (0..<50).map { _ in policy.backoff(retry: 3) }
        #expect(systemSamples.allSatisfy { $0 >= .zero && $0 <= .seconds(2) })
    }

    @Test(
        "Retry-After parsing: integer and decimal seconds; anything else falls back to backoff",
        arguments: [
            ("7", Duration?.some(.seconds(7))),
            (" 3 ", .seconds(3)),
            ("0", .zero),
            ("1.5", .milliseconds(1500)),
            ("0.0001", .milliseconds(1)),
            ("-1", nil),
            ("abc", nil),
            ("", nil),
            ("nan", nil),
            ("inf", nil),
            ("Wed, 21 Oct 2015 07:28:00 GMT", nil),
            ("1e300", .seconds(1_000_000_000)),
        ])
    func retryAfter(header: String, expected: Duration?) {
        #expect(RetryPolicy.parseRetryAfter(header) == expected)
    }

    @Test("a missing Retry-After header parses as nil")
    func missingRetryAfter() {
        #expect(RetryPolicy.parseRetryAfter(nil) == nil)
    }

    @Test("out-of-range settings are clamped")
    func clamping() {
        let odd = RetryPolicy(
            maxAttempts: -2, backoffBase: .seconds(-1), backoffCap: .seconds(-1), maxRetryAfter: .seconds(-5))
        #expect(odd.maxAttempts == 1)
        #expect(odd.backoffBase == .zero)
        #expect(odd.maxRetryAfter == .zero)
        #expect(odd.backoffCeiling(retry: 3) == .zero)
    }
}
