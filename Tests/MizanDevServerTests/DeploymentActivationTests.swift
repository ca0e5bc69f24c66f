import Foundation
import MizanCore
import Testing

@testable import MizanDevServer

/// Which deployment is live and which manifest the proxy serves change together: finalize and
/// activate pass through one `SerialGate`.
@Suite struct DeploymentActivationTests {
    let api = DeploymentsAPITests()

    /// Bodies that wait inside the gate never overlap, and every one runs.
    @Test func theGateLetsOneBodyInAtATime() async throws {
        let gate = SerialGate()
        let inside = Occupancy()
        let order = Recorder()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<20 {
                group.addTask {
                    try await gate.run {
                        #expect(inside.enter() == 0, "two bodies inside the gate at once")
                        order.add(n)
                        try await Task.sleep(for: .milliseconds(2))
                        await Task.yield()
                        inside.leave()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(order.values.count == 20)
        // A body that throws opens the gate for the next.
        await #expect(throws: CancellationError.self) { try await gate.run { throw CancellationError() } }
        #expect(try await gate.run { 7 } == 7)
    }

    /// Activations and rollbacks fired at once, round after round: whichever wins, the deployment
    /// the API calls live is the one whose manifest the proxy serves (health's schema hash).
    @Test func concurrentActivationsLeaveTheRecordAndTheServedManifestAgreeing() async throws {
        try await DeploymentsAPITests.withDeployments { _, server, browser, store in
            var ids: [String] = []
            for n in 1...3 {
                let hash = "sha256:" + String(repeating: String(n), count: 64)
                let manifest = Array(TestManifest.json
                    .replacingOccurrences(of: "sha256:" + String(repeating: "0", count: 64), with: hash)
                    .replacingOccurrences(of: #""ttl": 60,"#, with: #""ttl": \#(n * 10),"#).utf8)
                let (created, body) = try await api.create(browser, key: "race-\(n)", files: [("manifest.json", manifest)])
                #expect(created.status == 201, "\(created.body)")
                let id = try #require(body["id"]?.stringValue)
                _ = try await api.upload(browser, manifest)
                #expect(try await browser.send(.POST, "/_mizan/deployments/\(id)/finalize", headers: api.auth, body: "{}").status == 200)
                ids.append(id)
            }
            for round in 0..<200 {
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for request in 0..<9 {
                        let id = ids[(round + request) % ids.count]
                        // Finalize of a live deployment is a no-op; of a superseded one, a 409.
                        let action = request % 4 == 3 ? "finalize" : "activate"
                        group.addTask {
                            try await browser.send(.POST, "/_mizan/deployments/\(id)/\(action)", headers: api.auth, body: "{}").status
                        }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(statuses.allSatisfy { $0 == 200 || $0 == 409 }, "\(statuses)")
                let live = store.all.filter { $0.status == .live }
                #expect(live.count == 1, "round \(round): \(live.map(\.id))")
                let health = try JSONParser.parse(Array(try await browser.get("/_mizan/health").body.utf8), file: "health").root
                #expect(health["schema_hash"]?.stringValue == live.first?.schemaHash, "round \(round)")
                #expect(server.manifest.schemaHash == live.first?.schemaHash, "round \(round)")
                let ttl = server.manifest.route(for: "books.get_book")?.cache?.ttl
                #expect(ttl.map { "sha256:" + String(repeating: String($0 / 10), count: 64) } == live.first?.schemaHash, "round \(round)")
            }
        }
    }

}

private final class Occupancy: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    /// The count before entering.
    func enter() -> Int { lock.withLock { defer { count += 1 }; return count } }
    func leave() { lock.withLock { count -= 1 } }
}

private final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [Int] = []
    func add(_ value: Int) { lock.withLock { list.append(value) } }
    var values: [Int] { lock.withLock { list } }
}
