import Foundation
import MizanCore
import MizanTestSupport
import Testing

/// `mizan deploy`, the real executable, against a Render API that misbehaves on purpose
/// (`FaultyRender`): one fault per test. Each run ends live after retries, or with a clear
/// message and its documented exit status (docs/deploy.md); never with two deployments, and never
/// with the token in what it printed.
@Suite struct DeployFaultTests {
    /// Retries 10 ms apart (Retry-After still rules when sent), so the tests are quick.
    static func environment(_ render: FaultyRender, _ extra: [String: String] = [:]) -> [String: String] {
        ["MIZAN_TOKEN": render.token, "MIZAN_DEPLOY_RETRY_BASE_MS": "10", "CI": "1"].merging(extra) { $1 }
    }

    /// The end-to-end test's project (a manifest, two worker files, a stylesheet), and with
    /// `big` a 3 MB asset, large enough to be cut off mid-upload.
    static func project(port: Int, big: Bool = false) throws -> URL {
        try projectAndBigHash(port: port, big: big).folder
    }

    /// The project, and the address of its big file (for a fault aimed at its upload).
    static func projectAndBigHash(port: Int, big: Bool = true) throws -> (folder: URL, bigHash: String) {
        let folder = try DeployCommandTests.project(port: port)
        if big {
            var generator = SystemRandomNumberGenerator()
            let bytes = (0..<(3 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try Data(bytes).write(to: folder.appendingPathComponent("public/big.bin"))
            return (folder, String(ContentHash.sha256(bytes).dropFirst("sha256:".count)))
        }
        return (folder, "")
    }

    static func deploy(_ render: FaultyRender, port: Int, big: Bool = false, _ extra: [String: String] = [:], arguments: [String] = ["deploy", "--json"]) async throws -> CommandResult {
        let folder = try project(port: port, big: big)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try await runMizan(arguments, in: folder, environment: environment(render, extra), timeLimit: 120)
    }

    /// What every run must satisfy, whatever its fault.
    static func expectSound(_ result: CommandResult, _ render: FaultyRender, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(!result.timedOut, "\(result)", sourceLocation: sourceLocation)
        #expect(!result.stdout.contains(render.token) && !result.stderr.contains(render.token), "the token was printed\n\(result)", sourceLocation: sourceLocation)
        #expect(render.deployments.all.count <= 1, "one run made \(render.deployments.all.count) deployments", sourceLocation: sourceLocation)
        let keys = Set(render.requests(.create).compactMap(\.idempotencyKey))
        #expect(keys.count <= 1, "creates with different keys: \(keys)", sourceLocation: sourceLocation)
        #expect(render.requests(.create).allSatisfy { $0.idempotencyKey != nil }, sourceLocation: sourceLocation)
    }

    /// The run went live: the JSON result names the one deployment the server keeps, live.
    static func expectLive(_ result: CommandResult, _ render: FaultyRender, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        #expect(result.exitCode == 0, "\(result)", sourceLocation: sourceLocation)
        let json = try JSONParser.parse(Array(result.stdout.utf8), file: "stdout").root
        let kept = render.deployments.all
        #expect(kept.count == 1, sourceLocation: sourceLocation)
        #expect(json["id"]?.stringValue == kept.first?.id, "\(result)", sourceLocation: sourceLocation)
        #expect(kept.first?.status == .live, sourceLocation: sourceLocation)
        #expect(kept.first.map { $0.files.allSatisfy { render.deployments.hasBlob($0.hash) } } == true, sourceLocation: sourceLocation)
    }

    static let busy = #"{"error": {"code": "busy", "message": "the service is busy"}}"#

    @Test func aConnectionDroppedMidUploadIsRetried() async throws {
        try await withFaultyRender { render, port in
            let (folder, bigHash) = try Self.projectAndBigHash(port: port)
            defer { try? FileManager.default.removeItem(at: folder) }
            render.inject(.drop, on: .upload, pathContains: bigHash)
            let result = try await runMizan(["deploy", "--json"], in: folder, environment: Self.environment(render), timeLimit: 120)
            Self.expectSound(result, render)
            try Self.expectLive(result, render)
            #expect(result.stderr.contains("connection dropped; retrying in"), "\(result)")
            // Five blobs, one of them sent twice.
            #expect(render.requests(.upload).count == 6)
            #expect(render.requests(.upload).filter { $0.status == 0 }.count == 1)
        }
    }

    @Test func a503WithRetryAfterIsWaitedForAsAsked() async throws {
        try await withFaultyRender { render, port in
            render.inject(.answer(503, headers: [("Retry-After", "1")], body: Self.busy), on: .create)
            let result = try await Self.deploy(render, port: port)
            Self.expectSound(result, render)
            try Self.expectLive(result, render)
            // The wait is the server's second, not the 10 ms backoff.
            #expect(result.stderr.contains("mizan: create: 503; retrying in 1.0s (attempt 2)"), "\(result)")
            #expect(render.requests(.create).map(\.status) == [503, 201])
        }
    }

    @Test func a429IsRetried() async throws {
        try await withFaultyRender { render, port in
            render.inject(.answer(429, body: Self.busy), on: .upload, times: 2)
            let result = try await Self.deploy(render, port: port)
            Self.expectSound(result, render)
            try Self.expectLive(result, render)
            #expect(result.stderr.components(separatedBy: ": 429; retrying in").count == 3, "\(result)")
            #expect(render.requests(.upload).count == 6)
        }
    }

    /// The create went through but its answer was a 500: the retry, with the same key, finds
    /// the same deployment.
    @Test func a500ThenA200MakesOneDeployment() async throws {
        try await withFaultyRender { render, port in
            render.inject(.answerAfterHandling(500, body: Self.busy), on: .create)
            let result = try await Self.deploy(render, port: port)
            Self.expectSound(result, render)
            try Self.expectLive(result, render)
            #expect(render.requests(.create).map(\.status) == [500, 200], "the retried create found the first")
            #expect(result.stderr.contains("create: 500; retrying in"), "\(result)")
        }
    }

    @Test func aResponseSlowerThanTheTimeoutIsRetried() async throws {
        try await withFaultyRender { render, port in
            // The create is made, its answer held back until the client gives up. The timeout is
            // far longer than any other call takes, even on a loaded machine.
            render.inject(.late, on: .create)
            let result = try await Self.deploy(render, port: port, ["MIZAN_DEPLOY_TIMEOUT": "15"])
            Self.expectSound(result, render)
            try Self.expectLive(result, render)
            #expect(result.stderr.contains("create: timed out; retrying in"), "\(result)")
            #expect(render.requests(.create).count == 2)
        }
    }

    /// A service that never answers in time: exit 75 once the attempts are spent; a re-run finds
    /// the deployment live (the finalize had gone through) and changes nothing.
    @Test func aServiceThatNeverAnswersInTimeExits75() async throws {
        try await withFaultyRender { render, port in
            render.inject(.late, on: .finalize, times: .max)
            let folder = try Self.project(port: port)
            defer { try? FileManager.default.removeItem(at: folder) }
            let environment = Self.environment(render, ["MIZAN_DEPLOY_TIMEOUT": "15", "MIZAN_DEPLOY_ATTEMPTS": "2"])
            let result = try await runMizan(["deploy"], in: folder, environment: environment, timeLimit: 120)
            Self.expectSound(result, render)
            #expect(result.exitCode == 75, "\(result)")
            #expect(result.stderr.contains("mizan: finalize: 127.0.0.1:\(port) did not answer in time"), "\(result)")
            #expect(render.requests(.finalize).count == 2)

            let again = try await runMizan(["deploy", "--json"], in: folder, environment: Self.environment(render), timeLimit: 120)
            Self.expectSound(again, render)
            try Self.expectLive(again, render)
            #expect(again.stdout.contains(#""already_live":true"#), "\(again)")
        }
    }

    @Test func a503ThatNeverEndsExits75() async throws {
        try await withFaultyRender { render, port in
            render.inject(.answer(503, body: Self.busy), on: .create, times: .max)
            let result = try await Self.deploy(render, port: port, ["MIZAN_DEPLOY_ATTEMPTS": "3"], arguments: ["deploy"])
            Self.expectSound(result, render)
            #expect(result.exitCode == 75, "\(result)")
            #expect(result.stderr.contains("mizan: create: the service is busy [busy] (still failing after retries)"), "\(result)")
            #expect(render.requests(.create).count == 3)
            #expect(render.deployments.all.isEmpty)
        }
    }

    @Test func aRetryAfterLongerThanAllowedExits75AtOnce() async throws {
        try await withFaultyRender { render, port in
            render.inject(.answer(503, headers: [("Retry-After", "3600")], body: Self.busy), on: .create)
            let result = try await Self.deploy(render, port: port, arguments: ["deploy"])
            Self.expectSound(result, render)
            #expect(result.exitCode == 75, "\(result)")
            #expect(result.stderr.contains("asked to retry after 3600 s"), "\(result)")
            #expect(render.requests(.create).count == 1)
        }
    }

    /// A refused token is final: no retry, exit 77, and the token the service echoed back is
    /// not printed.
    @Test func a401Exits77WithoutRetrying() async throws {
        try await withFaultyRender { render, port in
            let echo = #"{"error": {"code": "unauthorized", "message": "token \#(render.token) has expired"}}"#
            render.inject(.answer(401, body: echo), on: .create)
            let result = try await Self.deploy(render, port: port, arguments: ["deploy"])
            Self.expectSound(result, render)
            #expect(result.exitCode == 77, "\(result)")
            #expect(result.stderr.contains("create: the API refused the token (MIZAN_TOKEN): token [MIZAN_TOKEN] has expired"), "\(result)")
            #expect(render.requests(.create).count == 1)
            #expect(!result.stderr.contains("retrying"))
        }
    }

    /// Answers that are not what the API promises: exit 76, a message naming the step and what
    /// came back, no retry.
    @Test(arguments: [
        (FaultyRender.Step.create, 200, #"{"id": "dep_1", "status": "#, "create: the API answered 200 with a body that is not JSON (application/json, starting \"{\\\"id\\\": \\\"dep_1\\\", \\\"status\\\": \")"),
        (.create, 201, "[1, 2, 3]", "create: the API answered a deployment without an id and a status"),
        (.create, 201, #"{"id": "../../etc", "status": "pending", "missing": []}"#, "create: the API answered a deployment id that is not a plain name"),
        (.finalize, 200, "<html><body>Bad Gateway</body></html>", "finalize: the API answered 200 with a body that is not JSON (application/json, starting \"<html><body>Bad Gateway</body></html>\")"),
        (.finalize, 404, "<html>no such page</html>", "finalize: the API answered 404 without an error object"),
    ])
    func malformedAnswersExit76(step: FaultyRender.Step, status: Int, body: String, message: String) async throws {
        try await withFaultyRender { render, port in
            render.inject(.answer(status, body: body), on: step)
            let result = try await Self.deploy(render, port: port, arguments: ["deploy"])
            Self.expectSound(result, render)
            #expect(result.exitCode == 76, "\(result)")
            #expect(result.stderr.contains("mizan: \(message)"), "\(result)")
            #expect(render.requests(step).count == 1)
        }
    }

    /// The finalize went through but its answer was lost: finalize is idempotent, the retry
    /// answers live.
    @Test func aFinalizeWhoseAnswerIsLostIsRetried() async throws {
        try await withFaultyRender { render, port in
            render.inject(.answerAfterHandling(502, body: Self.busy), on: .finalize)
            let result = try await Self.deploy(render, port: port)
            Self.expectSound(result, render)
            try Self.expectLive(result, render)
            #expect(render.requests(.finalize).map(\.status) == [502, 200])
        }
    }

    /// The service accepts the finalize, then the deployment fails there (its worker would not
    /// start, say): exit 1 with the service's reason.
    @Test func aDeploymentThatFailsAfterFinalizeExits1() async throws {
        try await withFaultyRender { render, port in
            render.inject(.rewrite { $0.replacingOccurrences(of: #""status": "live""#, with: #""status": "pending""#) }, on: .finalize)
            render.inject(.rewrite { $0.replacingOccurrences(of: #""status": "live""#, with: #""status": "pending""#) }, on: .status)
            render.inject(.rewrite {
                $0.replacingOccurrences(of: #""status": "live""#, with: #""status": "failed""#)
                    .replacingOccurrences(of: #""error": null"#, with: #""error": "worker/index.js threw at start""#)
            }, on: .status)
            let result = try await Self.deploy(render, port: port, arguments: ["deploy"])
            Self.expectSound(result, render)
            #expect(result.exitCode == 1, "\(result)")
            let id = render.deployments.all.first?.id ?? "?"
            #expect(result.stderr.contains("mizan: deployment \(id) is failed: worker/index.js threw at start"), "\(result)")
            #expect(render.requests(.status).count == 2)
        }
    }

    @Test func aFinalizeRefusedAsInvalidExits65() async throws {
        try await withFaultyRender { render, port in
            let refusal = #"{"error": {"code": "invalid_manifest", "message": "route books.get_book: unknown cache context"}}"#
            render.inject(.answer(422, body: refusal), on: .finalize)
            let result = try await Self.deploy(render, port: port, arguments: ["deploy"])
            Self.expectSound(result, render)
            #expect(result.exitCode == 65, "\(result)")
            #expect(result.stderr.contains("mizan: finalize: route books.get_book: unknown cache context [invalid_manifest]"), "\(result)")
            #expect(render.requests(.finalize).count == 1)
        }
    }

    /// A blob gone between upload and finalize (a cleanup on the service): the finalize answers
    /// 409 missing_blobs, the client uploads it again and finalizes.
    @Test func aBlobLostBeforeFinalizeIsUploadedAgain() async throws {
        try await withFaultyRender { render, port in
            render.inject(.before { store in
                if let file = store.all.first?.files.first(where: { $0.path == "public/site.css" || $0.path == "assets/site.css" }) {
                    try? FileManager.default.removeItem(atPath: store.blobPath(file.hash))
                }
            }, on: .finalize)
            let result = try await Self.deploy(render, port: port)
            Self.expectSound(result, render)
            try Self.expectLive(result, render)
            #expect(render.requests(.finalize).map(\.status) == [409, 200])
            #expect(render.requests(.upload).count == 5)
        }
    }

    /// One file's upload is cut off on every attempt: exit 75 with the rest uploaded; the re-run
    /// continues the same deployment and uploads only that file.
    @Test func anInterruptedDeployReRunUploadsOnlyWhatIsMissing() async throws {
        try await withFaultyRender { render, port in
            let (folder, bigHash) = try Self.projectAndBigHash(port: port)
            defer { try? FileManager.default.removeItem(at: folder) }
            render.inject(.drop, on: .upload, pathContains: bigHash, times: .max)
            let first = try await runMizan(["deploy"], in: folder, environment: Self.environment(render, ["MIZAN_DEPLOY_ATTEMPTS": "2"]), timeLimit: 120)
            Self.expectSound(first, render)
            #expect(first.exitCode == 75, "\(first)")
            #expect(first.stderr.contains("mizan: upload of assets/big.bin: the connection to 127.0.0.1:\(port) dropped"), "\(first)")
            let firstID = render.deployments.all.first?.id
            #expect(render.deployments.all.first?.status == .pending)

            render.clearFaults()
            let uploadsBefore = render.requests(.upload).count
            let again = try await runMizan(["deploy", "--json"], in: folder, environment: Self.environment(render), timeLimit: 120)
            Self.expectSound(again, render)
            try Self.expectLive(again, render)
            #expect(render.deployments.all.first?.id == firstID)
            #expect(render.requests(.upload).count == uploadsBefore + 1)
            #expect(again.stdout.contains(#""uploaded":{"files":1,"bytes":3145728}"#), "\(again)")
        }
    }
}
