extension CurlClient {
    /// Sends `request`, retrying per `policy` the transport errors that may pass and the
    /// retryable statuses (429, 5xx but 501), honouring `Retry-After`. Returns the last response
    /// otherwise: a 4xx, or a 5xx once attempts run out, is returned, not thrown. `onRetry` hears
    /// (attempt that failed, reason such as "503" or "connection failed", seconds until the next),
    /// so the command line can print "retrying in 2.1s (503)".
    public func send(
        _ request: HTTPRequestSpec, policy: RetryPolicy, onRetry: (@Sendable (Int, String, Double) -> Void)?
    ) async throws(HTTPTransportError) -> HTTPResponseData {
        var observer: CurlBatch.RetryObserver?
        if let onRetry {
            observer = { @Sendable _, attempt, reason, delay in onRetry(attempt, reason, delay) }
        }
        return try await run([request], maxParallel: 1, policy: policy, onRetry: observer, progress: nil)[0].get()
    }

    /// `sendAll` with retries per `policy` for each request. A request waiting to be retried keeps
    /// its slot, so a server that asks for patience gets fewer requests, not more. `onRetry`
    /// hears (index of the request, attempt that failed, reason, seconds until the next); the
    /// bytes `progress` counts drop back when an attempt is retried.
    public func sendAll(
        _ requests: [HTTPRequestSpec], maxParallel: Int, policy: RetryPolicy,
        onRetry: (@Sendable (_ index: Int, _ attempt: Int, _ reason: String, _ delay: Double) -> Void)?,
        progress: (@Sendable (_ uploadedBytes: Int64, _ finished: Int) -> Void)? = nil
    ) async -> [Result<HTTPResponseData, HTTPTransportError>] {
        await run(requests, maxParallel: maxParallel, policy: policy, onRetry: onRetry, progress: progress)
    }
}
