import CCurl
import Foundation

/// Runs a list of requests through one curl multi handle, on the thread that calls `run` (never
/// a thread of the cooperative pool: it blocks in `curl_multi_poll`). At most `maxParallel`
/// requests hold a slot at once, a request that waits to be retried included; a slot is filled as
/// soon as one frees, and each file body is opened only when its transfer starts, so memory and
/// open files stay flat however many and however large the files.
///
/// One batch runs once. `cancel` may be called from any thread.
final class CurlBatch: @unchecked Sendable {
    typealias Outcome = Result<HTTPResponseData, HTTPTransportError>
    typealias RetryObserver = @Sendable (_ index: Int, _ attempt: Int, _ reason: String, _ delay: Double) -> Void
    typealias ProgressObserver = @Sendable (_ uploadedBytes: Int64, _ finished: Int) -> Void

    private let requests: [HTTPRequestSpec]
    private let maxParallel: Int
    private let settings: CurlSettings
    private let policy: RetryPolicy
    private let onRetry: RetryObserver?
    private let progress: ProgressObserver?

    private let lock = NSLock()
    /// Guarded by `lock`, so that `cancel` can wake the loop while the handle exists.
    private var cancelled = false
    private var wakeable: UnsafeMutableRawPointer?

    // The loop's own state, touched only by the thread in `run`.
    private let clock = ContinuousClock()
    private var results: [Outcome?]
    private var finished = 0
    private var nextIndex = 0
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var waiting: [(due: ContinuousClock.Instant, index: Int, attempt: Int)] = []
    private var uploadedByFinished: Int64 = 0
    private var lastReport: (at: ContinuousClock.Instant, uploaded: Int64, finished: Int)?
    private var random = SystemRandomNumberGenerator()

    init(
        requests: [HTTPRequestSpec], maxParallel: Int, settings: CurlSettings, policy: RetryPolicy,
        onRetry: RetryObserver?, progress: ProgressObserver?
    ) {
        self.requests = requests
        self.maxParallel = max(1, maxParallel)
        self.settings = settings
        self.policy = policy
        self.onRetry = onRetry
        self.progress = progress
        results = Array(repeating: nil, count: requests.count)
    }

    /// Stops every transfer; those not finished fail as cancelled.
    func cancel() {
        lock.withLock {
            cancelled = true
            if let wakeable { curl_multi_wakeup(wakeable) }
        }
    }

    private var isCancelled: Bool { lock.withLock { cancelled } }

    /// Sends every request and returns the outcomes in input order. Blocks until all are done.
    func run() -> [Outcome] {
        func failAll(_ problem: String) -> [Outcome] {
            requests.map { .failure(HTTPTransportError(kind: .other, message: "cannot send to \(CurlTransfer.hostName(of: $0.url)): \(problem)")) }
        }
        if let problem = CurlGlobal.problem { return failAll(problem) }
        guard let multi = curl_multi_init() else { return failAll("libcurl could not create a multi handle") }
        lock.withLock { wakeable = multi }
        loop(multi)
        lock.withLock { wakeable = nil }
        for transfer in active.values { curl_multi_remove_handle(multi, transfer.handle) }
        active.removeAll()
        curl_multi_cleanup(multi)
        return results.enumerated().map { index, outcome in outcome ?? .failure(cancelledError(index)) }
    }

    private func loop(_ multi: UnsafeMutableRawPointer) {
        while finished < requests.count {
            if isCancelled { return }
            fillSlots(multi)
            if finished == requests.count { break }
            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            let settled = collectDone(multi)
            report(force: settled)
            if settled { continue }
            var timeout = 1000
            if let due = waiting.map(\.due).min() {
                let wait = clock.now.duration(to: due).components
                timeout = max(0, min(timeout, Int(wait.seconds) * 1000 + Int(wait.attoseconds / 1_000_000_000_000_000) + 1))
            }
            _ = curl_multi_poll(multi, nil, 0, Int32(timeout), nil)
        }
        report(force: true)
    }

    /// Starts due retries, then new requests, while slots are free.
    private func fillSlots(_ multi: UnsafeMutableRawPointer) {
        let now = clock.now
        let due = waiting.filter { $0.due <= now }
        waiting.removeAll { $0.due <= now }
        for retry in due { start(multi, index: retry.index, attempt: retry.attempt) }
        while active.count + waiting.count < maxParallel, nextIndex < requests.count {
            nextIndex += 1
            start(multi, index: nextIndex - 1, attempt: 1)
        }
    }

    private func start(_ multi: UnsafeMutableRawPointer, index: Int, attempt: Int) {
        switch CurlTransfer.make(index: index, attempt: attempt, request: requests[index], settings: settings) {
        case .success(let transfer):
            let code = curl_multi_add_handle(multi, transfer.handle)
            if code == CURLM_OK {
                active[transfer.handle] = transfer
            } else {
                let host = CurlTransfer.hostName(of: requests[index].url)
                let error = HTTPTransportError(kind: .other, message: "cannot send to \(host): \(String(cString: curl_multi_strerror(code)))")
                settle(index: index, attempt: attempt, outcome: .failure(error), uploaded: 0)
            }
        case .failure(let error):
            settle(index: index, attempt: attempt, outcome: .failure(error), uploaded: 0)
        }
    }

    /// Takes the finished transfers out of the multi handle; true when there was one.
    private func collectDone(_ multi: UnsafeMutableRawPointer) -> Bool {
        var settledAny = false
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            guard let transfer = active.removeValue(forKey: easy) else { continue }
            curl_multi_remove_handle(multi, easy)
            settle(index: transfer.index, attempt: transfer.attempt, outcome: transfer.outcome(code), uploaded: transfer.uploadedBytes)
            settledAny = true
        }
        return settledAny
    }

    private func settle(index: Int, attempt: Int, outcome: Outcome, uploaded: Int64) {
        switch policy.decide(outcome, attempt: attempt, url: requests[index].url, random: &random) {
        case .finish(let final):
            results[index] = final
            finished += 1
            uploadedByFinished += uploaded
        case .retry(let delay, let reason):
            onRetry?(index, attempt, reason, delay)
            waiting.append((due: clock.now.advanced(by: .milliseconds(Int64((delay * 1000).rounded()))), index: index, attempt: attempt + 1))
        }
    }

    /// Tells `progress` the bytes sent and the requests finished, at most every 100 ms unless a
    /// request just finished.
    private func report(force: Bool) {
        guard let progress else { return }
        let now = clock.now
        if !force, let lastReport, lastReport.at.duration(to: now) < .milliseconds(100) { return }
        let uploaded = uploadedByFinished + active.values.reduce(0) { $0 + $1.uploadedBytes }
        if let lastReport, lastReport.uploaded == uploaded, lastReport.finished == finished { return }
        lastReport = (at: now, uploaded: uploaded, finished: finished)
        progress(uploaded, finished)
    }

    private func cancelledError(_ index: Int) -> HTTPTransportError {
        HTTPTransportError(kind: .other, message: "the request to \(CurlTransfer.hostName(of: requests[index].url)) was cancelled")
    }
}

/// `curl_global_init`, once per process, before the first handle.
enum CurlGlobal {
    /// Why libcurl cannot be used, or nil.
    static let problem: String? = {
        let code = ccurl_global_init()
        return code == CURLE_OK ? nil : "libcurl failed to initialise: \(String(cString: curl_easy_strerror(code)))"
    }()
}
