import Foundation
import Testing

@testable import MizanDeploy

/// The retry policy's arithmetic, without a network.
@Suite struct RetryPolicyTests {
    @Test func retryableStatuses() {
        #expect(RetryPolicy.isRetryable(status: 429))
        for status in [500, 502, 503, 504, 599] { #expect(RetryPolicy.isRetryable(status: status)) }
        for status in [200, 201, 204, 301, 304, 400, 401, 403, 404, 409, 413, 422, 501, 600] {
            #expect(!RetryPolicy.isRetryable(status: status), "\(status)")
        }
    }

    @Test func backoffIsFullJitterUnderAnExponentialCeiling() {
        let policy = RetryPolicy(baseDelay: 0.5, maxDelay: 30)
        var random = SplitMix64(seed: 7)
        for attempt in 1...10 {
            let ceiling = min(30, 0.5 * pow(2, Double(attempt - 1)))
            let delays = (0..<500).map { _ in policy.delay(afterAttempt: attempt, retryAfter: nil, random: &random)! }
            #expect(delays.allSatisfy { $0 >= 0 && $0 <= ceiling }, "attempt \(attempt)")
            // Spread over the range, not pinned to an end.
            #expect(delays.min()! < ceiling * 0.1)
            #expect(delays.max()! > ceiling * 0.9)
        }
    }

    @Test func theSameSeedGivesTheSameDelays() {
        let policy = RetryPolicy()
        var first = SplitMix64(seed: 1)
        var second = SplitMix64(seed: 1)
        let a = (1...5).map { policy.delay(afterAttempt: $0, retryAfter: nil, random: &first)! }
        let b = (1...5).map { policy.delay(afterAttempt: $0, retryAfter: nil, random: &second)! }
        #expect(a == b)
    }

    @Test func retryAfterInSecondsReplacesTheBackoff() {
        let policy = RetryPolicy(maxRetryAfter: 120)
        var random = SplitMix64(seed: 3)
        #expect(policy.delay(afterAttempt: 1, retryAfter: "1", random: &random) == 1)
        #expect(policy.delay(afterAttempt: 4, retryAfter: " 0 ", random: &random) == 0)
        #expect(policy.delay(afterAttempt: 1, retryAfter: "120", random: &random) == 120)
        #expect(policy.delay(afterAttempt: 1, retryAfter: "121", random: &random) == nil)
        #expect(policy.delay(afterAttempt: 1, retryAfter: "99999999999999999999", random: &random) == nil)
    }

    @Test func retryAfterAsAnHTTPDate() {
        let now = Date(timeIntervalSince1970: 784_111_717)  // Sun, 06 Nov 1994 08:48:37 GMT
        let policy = RetryPolicy(maxRetryAfter: 120)
        var random = SplitMix64(seed: 3)
        #expect(policy.delay(afterAttempt: 1, retryAfter: "Sun, 06 Nov 1994 08:49:37 GMT", now: now, random: &random) == 60)
        #expect(policy.delay(afterAttempt: 1, retryAfter: "Sunday, 06-Nov-94 08:49:37 GMT", now: now, random: &random) == 60)
        #expect(policy.delay(afterAttempt: 1, retryAfter: "Sun Nov  6 08:49:37 1994", now: now, random: &random) == 60)
        // A date in the past means now.
        #expect(policy.delay(afterAttempt: 1, retryAfter: "Sun, 06 Nov 1994 08:00:00 GMT", now: now, random: &random) == 0)
        // Too far ahead.
        #expect(policy.delay(afterAttempt: 1, retryAfter: "Sun, 06 Nov 1994 09:48:37 GMT", now: now, random: &random) == nil)
        #expect(RetryPolicy.httpDate("Sun, 06 Nov 1994 08:49:37 GMT") == Date(timeIntervalSince1970: 784_111_777))
    }

    @Test func aRetryAfterThatIsNeitherFormFallsBackToTheBackoff() {
        let policy = RetryPolicy(baseDelay: 0.5)
        var random = SplitMix64(seed: 9)
        for value in ["soon", "-5", "1.5", "", "Sun, 06 Nov 1994"] {
            let delay = policy.delay(afterAttempt: 1, retryAfter: value, random: &random)
            #expect(delay != nil && delay! <= 0.5, "\(value)")
        }
    }

    @Test func decisions() {
        let policy = RetryPolicy(maxAttempts: 3, baseDelay: 0.1, maxRetryAfter: 10)
        var random = SplitMix64(seed: 5)
        let url = "https://api.example.test/v1"
        func decide(_ outcome: Result<HTTPResponseData, HTTPTransportError>, attempt: Int = 1) -> RetryDecision {
            policy.decide(outcome, attempt: attempt, url: url, random: &random)
        }
        let refused = HTTPTransportError(kind: .connect, message: "refused")
        if case .retry(_, let reason) = decide(.failure(refused)) { #expect(reason == "connection failed") } else { Issue.record("not retried") }
        if case .finish = decide(.failure(refused), attempt: 3) {} else { Issue.record("retried past maxAttempts") }
        if case .finish = decide(.failure(HTTPTransportError(kind: .tls, message: ""))) {} else { Issue.record("TLS retried") }
        if case .retry(let delay, let reason) = decide(.success(HTTPResponseData(status: 503, headers: [("retry-after", "2")]))) {
            #expect(delay == 2)
            #expect(reason == "503")
        } else {
            Issue.record("503 not retried")
        }
        if case .finish(.success(let response)) = decide(.success(HTTPResponseData(status: 404))) {
            #expect(response.status == 404)
        } else {
            Issue.record("404 not returned")
        }
        if case .finish(.failure(let error)) = decide(.success(HTTPResponseData(status: 429, headers: [("retry-after", "3600")]))) {
            #expect(error.message == "api.example.test answered 429 and asked to retry after 3600 s, longer than the 10 s allowed; try again later")
        } else {
            Issue.record("a long Retry-After did not fail")
        }
        // Out of attempts, the last response is the answer whatever it asked.
        if case .finish(.success(let response)) = decide(.success(HTTPResponseData(status: 429, headers: [("retry-after", "3600")])), attempt: 3) {
            #expect(response.status == 429)
        } else {
            Issue.record("the last response was not returned")
        }
    }
}
