import Foundation

/// When and how long to wait before sending a request again: exponential backoff with full
/// jitter, or the server's `Retry-After` when it gives one.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maxAttempts = 5
    /// Seconds; the wait before retry n is random in 0…min(maxDelay, baseDelay · 2^(n-1)).
    public var baseDelay = 0.5
    public var maxDelay = 30.0
    /// A `Retry-After` longer than this (seconds) ends the request with an error instead of a
    /// wait.
    public var maxRetryAfter = 120.0

    public init(maxAttempts: Int = 5, baseDelay: Double = 0.5, maxDelay: Double = 30, maxRetryAfter: Double = 120) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// Whether a response status is worth another attempt: 429 and the 5xx, except 501 (the
    /// server will never do it).
    public static func isRetryable(status: Int) -> Bool {
        status == 429 || ((500...599).contains(status) && status != 501)
    }

    /// The seconds to wait before retry `attempt` (1 for the first retry). A `retryAfter` value
    /// (delta-seconds or an HTTP-date) replaces the backoff; nil when it asks for more than
    /// `maxRetryAfter`. A value that is neither form is ignored.
    public func delay(afterAttempt attempt: Int, retryAfter: String?, now: Date = Date(), random: inout some RandomNumberGenerator) -> Double? {
        if let retryAfter, let seconds = Self.seconds(retryAfter: retryAfter, now: now) {
            return seconds <= maxRetryAfter ? seconds : nil
        }
        let exponent = Double(max(1, attempt) - 1)
        let ceiling = max(0, min(maxDelay, baseDelay * pow(2, exponent)))
        return ceiling > 0 ? Double.random(in: 0...ceiling, using: &random) : 0
    }

    /// A `Retry-After` value in seconds from `now` (never negative), or nil if it is neither
    /// delta-seconds nor an HTTP-date (RFC 9110 §10.2.3).
    public static func seconds(retryAfter value: String, now: Date = Date()) -> Double? {
        let value = value.trimmingCharacters(in: .whitespaces)
        if !value.isEmpty, value.allSatisfy(\.isASCIIDigitCharacter) {
            return Double(value)
        }
        guard let date = httpDate(value) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }

    /// Parses the three forms of HTTP-date: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the
    /// obsolete RFC 850 form (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime
    /// (`Sun Nov  6 08:49:37 1994`).
    public static func httpDate(_ text: String) -> Date? {
        let text = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        for format in ["EEE, dd MMM yyyy HH:mm:ss 'GMT'", "EEEE, dd-MMM-yy HH:mm:ss 'GMT'", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            // RFC 850's two-digit years: a year more than 50 years ahead is in the past century.
            formatter.twoDigitStartDate = Date(timeIntervalSinceNow: -50 * 365.25 * 86_400)
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}

private extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}

/// What to do with an attempt's outcome.
enum RetryDecision {
    case finish(Result<HTTPResponseData, HTTPTransportError>)
    case retry(delay: Double, reason: String)
}

extension RetryPolicy {
    /// Retries transport errors that may pass next time and the statuses `isRetryable` names,
    /// while attempts remain; anything else, a 4xx included, is final. A response whose
    /// `Retry-After` asks for too long a wait becomes an error.
    ///
    /// A request that timed out or dropped mid-way may have reached the server, so a retried POST
    /// can arrive twice; the deploy API's requests must be safe to repeat.
    func decide(
        _ outcome: Result<HTTPResponseData, HTTPTransportError>, attempt: Int, url: String, now: Date = Date(),
        random: inout some RandomNumberGenerator
    ) -> RetryDecision {
        guard attempt < maxAttempts else { return .finish(outcome) }
        switch outcome {
        case .failure(let error):
            guard error.isRetryable, let delay = delay(afterAttempt: attempt, retryAfter: nil, now: now, random: &random) else {
                return .finish(outcome)
            }
            return .retry(delay: delay, reason: error.shortReason)
        case .success(let response):
            guard Self.isRetryable(status: response.status) else { return .finish(outcome) }
            let retryAfter = response.header("retry-after")
            guard let delay = delay(afterAttempt: attempt, retryAfter: retryAfter, now: now, random: &random) else {
                let asked = retryAfter.flatMap { Self.seconds(retryAfter: $0, now: now) } ?? 0
                return .finish(.failure(HTTPTransportError(
                    kind: .retryLater,
                    message: "\(CurlTransfer.hostName(of: url)) answered \(response.status) and asked to retry after \(Self.format(asked)), "
                        + "longer than the \(Self.format(maxRetryAfter)) allowed; try again later")))
            }
            return .retry(delay: delay, reason: "\(response.status)")
        }
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() && seconds < 1e15 ? "\(Int(seconds)) s" : String(format: "%.1f s", seconds)
    }
}
