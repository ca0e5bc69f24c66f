import Foundation
import MizanCore

/// A small HTTP client on libcurl, for the deploy commands: requests with bodies from memory or
/// streamed from files, TLS verified, timeouts on connecting and on the whole transfer, proxies
/// from the environment as curl reads them (`http_proxy`, `https_proxy`, `all_proxy`,
/// `no_proxy`), never a redirect.
///
/// Each call runs its transfers on a thread of its own through one curl multi handle, so waiting
/// on the network never holds a thread of the cooperative pool; cancelling the calling task
/// stops them.
public final class CurlClient: Sendable {
    private let settings: CurlSettings

    /// - Parameter caBundlePath: a PEM file of certificate authorities to trust instead of the
    ///   system's (a company proxy that re-signs TLS, a test server).
    public init(userAgent: String = "mizan/\(MizanVersion.current)", caBundlePath: String? = nil) {
        settings = CurlSettings(userAgent: userAgent, caBundlePath: caBundlePath)
        _ = CurlGlobal.problem
    }

    /// Sends one request and returns its response, whatever its status.
    public func send(_ request: HTTPRequestSpec) async throws(HTTPTransportError) -> HTTPResponseData {
        try await run([request], maxParallel: 1, policy: RetryPolicy(maxAttempts: 1), onRetry: nil, progress: nil)[0].get()
    }

    /// Sends `requests` through one multi handle, at most `maxParallel` at once, and returns their
    /// outcomes in input order. `progress` is called (from any thread) with the body bytes sent
    /// so far across all transfers and the number of requests finished.
    public func sendAll(
        _ requests: [HTTPRequestSpec], maxParallel: Int,
        progress: (@Sendable (_ uploadedBytes: Int64, _ finished: Int) -> Void)? = nil
    ) async -> [Result<HTTPResponseData, HTTPTransportError>] {
        await run(requests, maxParallel: maxParallel, policy: RetryPolicy(maxAttempts: 1), onRetry: nil, progress: progress)
    }

    func run(
        _ requests: [HTTPRequestSpec], maxParallel: Int, policy: RetryPolicy, onRetry: CurlBatch.RetryObserver?,
        progress: CurlBatch.ProgressObserver?
    ) async -> [Result<HTTPResponseData, HTTPTransportError>] {
        if requests.isEmpty { return [] }
        let batch = CurlBatch(
            requests: requests, maxParallel: maxParallel, settings: settings, policy: policy, onRetry: onRetry, progress: progress)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread { continuation.resume(returning: batch.run()) }
                thread.name = "mizan-curl"
                thread.start()
            }
        } onCancel: {
            batch.cancel()
        }
    }
}
