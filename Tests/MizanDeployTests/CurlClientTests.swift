import Foundation
import MizanCore
import Testing

@testable import MizanDeploy

/// Round trips through libcurl against a real HTTP server on loopback.
@Suite struct CurlClientTests {
    let client = CurlClient()

    private func echo(_ response: HTTPResponseData) throws -> (method: String, headers: [String: String], body: String) {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        return (object["method"] as? String ?? "", object["headers"] as? [String: String] ?? [:], object["body"] as? String ?? "")
    }

    @Test func aGetCarriesItsHeadersAndReturnsTheResponsesHeaders() async throws {
        try await withTestServer { _, port in
            let response = try await client.send(HTTPRequestSpec(
                method: "GET", url: "http://127.0.0.1:\(port)/echo",
                headers: [("Authorization", "Bearer t0ken"), ("X-Mizan-Test", "a b c"), ("X-Empty", "")]))
            #expect(response.status == 200)
            let seen = try echo(response)
            #expect(seen.method == "GET")
            #expect(seen.headers["authorization"] == "Bearer t0ken")
            #expect(seen.headers["x-mizan-test"] == "a b c")
            #expect(seen.headers["x-empty"] == "")
            #expect(seen.headers["user-agent"] == "mizan/\(MizanVersion.current)")
            #expect(seen.headers["expect"] == nil)
            #expect(seen.body == "")
            // Names lower-cased, repeated headers kept in order, lookup in any case.
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.headers.filter { $0.name == "x-echo-twice" }.map(\.value) == ["one", "two"])
            #expect(response.headers.allSatisfy { $0.name == $0.name.lowercased() })
        }
    }

    @Test(arguments: ["POST", "PUT", "PATCH", "DELETE"])
    func aBodyArrivesWithItsMethod(method: String) async throws {
        try await withTestServer { _, port in
            let text = "{\"héllo\":\"wörld\"}"
            let response = try await client.send(HTTPRequestSpec(
                method: method, url: "http://127.0.0.1:\(port)/echo", headers: [("Content-Type", "application/json")],
                body: .bytes(Array(text.utf8))))
            #expect(response.status == 200)
            let seen = try echo(response)
            #expect(seen.method == method)
            #expect(seen.body == text)
            #expect(seen.headers["content-length"] == "\(text.utf8.count)")
            #expect(seen.headers["content-type"] == "application/json")
            #expect(seen.headers["expect"] == nil)
        }
    }

    @Test func aPostWithoutContentTypeIsNotLabelledAForm() async throws {
        try await withTestServer { _, port in
            let response = try await client.send(HTTPRequestSpec(method: "POST", url: "http://127.0.0.1:\(port)/echo", body: .bytes(Array("x=1".utf8))))
            let seen = try echo(response)
            #expect(seen.headers["content-type"] == nil)
            #expect(seen.body == "x=1")
        }
    }

    @Test func requestsWithoutBodies() async throws {
        try await withTestServer { _, port in
            let delete = try await client.send(HTTPRequestSpec(method: "DELETE", url: "http://127.0.0.1:\(port)/echo"))
            #expect(try echo(delete).method == "DELETE")
            let post = try await client.send(HTTPRequestSpec(method: "POST", url: "http://127.0.0.1:\(port)/echo"))
            #expect(try echo(post).headers["content-length"] == "0")
            let head = try await client.send(HTTPRequestSpec(method: "HEAD", url: "http://127.0.0.1:\(port)/echo"))
            #expect(head.status == 204)
            #expect(head.header("x-head") == "yes")
            let missing = try await client.send(HTTPRequestSpec(method: "GET", url: "http://127.0.0.1:\(port)/nowhere"))
            #expect(missing.status == 404)
        }
    }

    @Test(arguments: ["PUT", "POST"])
    func aTwentyMegabyteFileIsStreamedByteForByte(method: String) async throws {
        let file = try TestFiles.random(size: 20 << 20)
        defer { try? FileManager.default.removeItem(atPath: file.path) }
        try await withTestServer { _, port in
            let response = try await client.send(HTTPRequestSpec(
                method: method, url: "http://127.0.0.1:\(port)/upload", headers: [("Content-Type", "application/octet-stream")],
                body: .file(path: file.path)))
            #expect(response.status == 200)
            #expect(response.text == #"{"bytes":\#(20 << 20),"sha256":"\#(file.sha256)","tag":""}"#)
        }
    }

    @Test func anEmptyFileUploads() async throws {
        let file = try TestFiles.random(size: 0)
        defer { try? FileManager.default.removeItem(atPath: file.path) }
        try await withTestServer { _, port in
            let response = try await client.send(HTTPRequestSpec(method: "PUT", url: "http://127.0.0.1:\(port)/upload", body: .file(path: file.path)))
            #expect(response.text.hasPrefix(#"{"bytes":0,"#))
        }
    }

    /// The client reads the file a buffer at a time: uploading 1 GiB (a sparse file, so it costs
    /// no disk) must not raise the process's peak resident memory by anything near that. The
    /// server runs in the same process and streams too; other tests running at the same time
    /// add noise (150 MB was seen in CI), hence a large file and a bound of half of it.
    @Test func memoryStaysFlatWhileAFileUploads() async throws {
        let size = 1 << 30
        let file = try TestFiles.zeros(size: size)
        defer { try? FileManager.default.removeItem(atPath: file.path) }
        try await withTestServer { _, port in
            // Warm up the server and client so their one-time allocations are not counted.
            _ = try await client.send(HTTPRequestSpec(method: "PUT", url: "http://127.0.0.1:\(port)/upload", body: .bytes([1, 2, 3])))
            try #require(ProcessMemory.resetPeak(), "needs /proc/self/clear_refs")
            let before = try #require(ProcessMemory.resident())
            var request = HTTPRequestSpec(method: "PUT", url: "http://127.0.0.1:\(port)/upload", body: .file(path: file.path))
            request.timeout = 300
            let response = try await client.send(request)
            let after = try #require(ProcessMemory.resident())
            #expect(response.text == #"{"bytes":\#(size),"sha256":"\#(file.sha256)","tag":""}"#)
            let growth = after.peak - before.current
            #expect(growth < size / 2, "peak resident memory grew by \(growth >> 20) MB while uploading \(size >> 20) MB")
        }
    }

    @Test func sendAllKeepsToTheParallelLimitAndTheInputOrder() async throws {
        let bodies = (0..<50).map { index in [UInt8]((0..<(1000 + index * 37)).map { UInt8(truncatingIfNeeded: $0 &* index) }) }
        let files = try bodies.map { body -> String in
            let path = TestFiles.temporaryPath("batch")
            try Data(body).write(to: URL(fileURLWithPath: path))
            return path
        }
        defer { for path in files { try? FileManager.default.removeItem(atPath: path) } }
        let reports = ProgressLog()
        try await withTestServer { server, port in
            let requests = files.enumerated().map { index, path in
                HTTPRequestSpec(method: "PUT", url: "http://127.0.0.1:\(port)/upload?hold=20&tag=\(index)", body: .file(path: path))
            }
            let results = await client.sendAll(requests, maxParallel: 4) { uploaded, finished in reports.add(uploaded, finished) }
            #expect(results.count == 50)
            for (index, result) in results.enumerated() {
                let response = try result.get()
                #expect(response.text == #"{"bytes":\#(bodies[index].count),"sha256":"\#(TestFiles.sha256(bodies[index]))","tag":"\#(index)"}"#)
            }
            #expect(server.maxUploadsInFlight <= 4)
            // Each upload is held 20 ms, so four slots do overlap.
            #expect(server.maxUploadsInFlight >= 2)
            #expect(server.requests.count == 50)
        }
        let log = reports.entries
        #expect(log.last?.finished == 50)
        #expect(log.last?.uploaded == Int64(bodies.map(\.count).reduce(0, +)))
        #expect(zip(log, log.dropFirst()).allSatisfy { $0.finished <= $1.finished })
    }

    @Test func sendAllReportsEachRequestsOwnFailure() async throws {
        let refused = try RawSocketServer.unusedPort()
        try await withTestServer { _, port in
            let results = await client.sendAll([
                HTTPRequestSpec(method: "GET", url: "http://127.0.0.1:\(port)/echo"),
                HTTPRequestSpec(method: "GET", url: "http://127.0.0.1:\(refused)/"),
                HTTPRequestSpec(method: "PUT", url: "http://127.0.0.1:\(port)/upload", body: .file(path: "/nonexistent/bundle.tar")),
                HTTPRequestSpec(method: "GET", url: "http://127.0.0.1:\(port)/nowhere"),
            ], maxParallel: 2)
            #expect(results[0].status == 200)
            #expect(throws: HTTPTransportError.self) { try results[1].get() }
            #expect(results[1].kind == .connect)
            #expect(results[2].kind == .fileUnreadable)
            #expect(results[3].status == 404)
        }
        #expect(await client.sendAll([], maxParallel: 4).isEmpty)
    }

    @Test func theLastResponsesHeadersOnlyAfterA100Continue() async throws {
        let server = try RawSocketServer { connection in
            _ = connection.readHead()
            connection.write("HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\nHTTP/1.1 201 Created\r\nX-Final: 2\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            connection.close()
        }
        defer { server.stop() }
        let response = try await client.send(HTTPRequestSpec(method: "GET", url: "http://127.0.0.1:\(server.port)/"))
        #expect(response.status == 201)
        #expect(response.header("x-final") == "2")
        #expect(response.header("x-interim") == nil)
        #expect(response.text == "ok")
    }

    @Test func aResponseOverTheLimitFails() async throws {
        try await withTestServer { _, port in
            var request = HTTPRequestSpec(method: "GET", url: "http://127.0.0.1:\(port)/bytes?n=200000")
            request.maxResponseBytes = 100_000
            await #expect(throws: HTTPTransportError.self) { try await client.send(request) }
            request.maxResponseBytes = 200_000
            let response = try await client.send(request)
            #expect(response.body.count == 200_000)
        }
    }
}

/// Progress reports in the order they came.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var log: [(uploaded: Int64, finished: Int)] = []
    func add(_ uploaded: Int64, _ finished: Int) { lock.withLock { log.append((uploaded, finished)) } }
    var entries: [(uploaded: Int64, finished: Int)] { lock.withLock { log } }
}

extension Result where Success == HTTPResponseData, Failure == HTTPTransportError {
    /// The error's kind, or nil for a success.
    var kind: HTTPTransportError.Kind? {
        if case .failure(let error) = self { error.kind } else { nil }
    }

    /// The response's status, or nil for a failure.
    var status: Int? {
        if case .success(let response) = self { response.status } else { nil }
    }
}
