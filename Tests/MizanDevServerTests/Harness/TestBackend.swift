import Foundation
import HTTPTypes
import Hummingbird
import MizanManifest

/// A real HTTP backend for the dev server to sit in front of: the bookshop's routes, with a log
/// of every request it served (the proof that a hit never reached it) and switches for faults.
final class TestBackend: @unchecked Sendable {
    private let lock = NSLock()
    private var log: [String] = []
    private var titles: [Int: String] = [1: "Dune", 2: "Emma", 5: "Ulysses"]
    private var failing = false
    private var version = 0

    /// Requests served, as `METHOD /path?query`, in order.
    var requests: [String] { lock.withLock { log } }
    func count(_ line: String) -> Int { lock.withLock { log.filter { $0 == line }.count } }
    func setFailing(_ value: Bool) { lock.withLock { failing = value } }

    private func note(_ request: Request) -> Bool {
        lock.withLock {
            log.append("\(request.method.rawValue) \(request.uri.path)\(request.uri.query.map { "?\($0)" } ?? "")")
            return failing
        }
    }

    func application(onListening: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        router.get("/api/books/{id}") { request, context -> Response in
            if self.note(request) { return Self.text(500, "backend down") }
            let id = context.parameters.get("id", as: Int.self) ?? -1
            let (title, version) = self.lock.withLock { (self.titles[id], self.version) }
            guard let title else { return Self.text(404, #"{"detail":"not found"}"#) }
            return Self.json(#"{"id":\#(id),"title":"\#(title)","v":\#(version)}"#)
        }
        router.get("/api/books") { request, _ -> Response in
            if self.note(request) { return Self.text(500, "backend down") }
            let genre = request.uri.queryParameters["genre"].map(String.init) ?? "all"
            return Self.json(#"{"genre":"\#(genre)","v":\#(self.lock.withLock { self.version })}"#)
        }
        router.put("/api/books/{id}") { request, context -> Response in
            if self.note(request) { return Self.text(500, "backend down") }
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            let id = context.parameters.get("id", as: Int.self) ?? -1
            let title = (try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])?["title"] as? String ?? "?"
            self.lock.withLock {
                self.titles[id] = title
                self.version += 1
            }
            return Self.json(#"{"id":\#(id),"title":"\#(title)"}"#)
        }
        router.post("/api/books/restock") { request, _ -> Response in
            _ = self.note(request)
            self.lock.withLock { self.version += 1 }
            var response = Self.json(#"{"ok":true}"#)
            response.headers[HTTPField.Name("X-Mizan-Invalidate")!] = #""books.get_book";id=2, "books.list_books";genre="sf""#
            return response
        }
        router.get("/api/me/cart") { request, _ -> Response in
            _ = self.note(request)
            let who = request.headers[.authorization] ?? "nobody"
            return Self.json(#"{"owner":"\#(who)"}"#)
        }
        router.post("/api/me/cart/items") { request, _ -> Response in
            _ = self.note(request)
            return Self.json(#"{"added":true}"#)
        }
        router.get("/api/stats") { request, _ -> Response in
            _ = self.note(request)
            return Self.json(#"{"n":\#(self.lock.withLock { self.log.count })}"#)
        }
        router.get("/api/login") { request, _ -> Response in
            _ = self.note(request)
            var response = Self.json(#"{"ok":true}"#)
            response.headers[.setCookie] = "sessionid=abc; HttpOnly"
            return response
        }
        router.get("/api/slow") { request, _ -> Response in
            _ = self.note(request)
            try await Task.sleep(for: .seconds(3))
            return Self.json(#"{"slow":true}"#)
        }
        router.get("/api/big") { request, _ -> Response in
            _ = self.note(request)
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"],
                            body: .init(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "x"), count: 10 << 20)))
        }
        router.get("/pages/books/{id}") { request, context -> Response in
            _ = self.note(request)
            let id = context.parameters.get("id", as: Int.self) ?? -1
            let title = self.lock.withLock { self.titles[id] } ?? "?"
            var response = Self.text(200, "<h1>\(title)</h1>")
            response.headers[.contentType] = "text/html"
            response.headers[HTTPField.Name("X-Mizan-Deps")!] = #""books.get_book";id=\#(id)"#
            return response
        }
        router.get("/api/echo") { request, _ -> Response in
            _ = self.note(request)
            var response = Self.json(#"{"accept_encoding":"\#(request.headers[.acceptEncoding] ?? "")","if_none_match":"\#(request.headers[.ifNoneMatch] ?? "")"}"#)
            if let vary = request.uri.queryParameters["vary"] { response.headers[.vary] = String(vary) }
            return response
        }
        router.get("/unmanaged") { request, _ -> Response in
            _ = self.note(request)
            return Self.text(200, "not in the manifest")
        }
        return Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { await onListening($0.localAddress?.port ?? 0) }, logger: quietLogger)
    }

    static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func text(_ status: Int, _ text: String) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// The manifest the tests serve, as `mizan codegen` writes it, read the way `mizan dev` reads it.
enum TestManifest {
    static let bookshop = try! ManifestReader.read(bytes: Array(json.utf8), file: "manifest.json")

    static let json = #"""
{
  "manifest_version": 1,
  "generator": "tests",
  "project": "bookshop",
  "schema_hash": "sha256:0000000000000000000000000000000000000000000000000000000000000000",
  "routes": [
    {
      "client": "debug.echo",
      "method": "GET",
      "path": "/api/echo",
      "params": [
        {
          "name": "vary",
          "in": "query",
          "type": "string",
          "list": false,
          "required": false,
          "enum": null
        }
      ],
      "cache": {
        "ttl": 60,
        "stale_while_revalidate": 0,
        "context": "public",
        "tags": []
      }
    },
    {
      "client": "cart.add_item",
      "method": "POST",
      "path": "/api/me/cart/items",
      "params": [],
      "cache": false
    },
    {
      "client": "admin.stats",
      "method": "GET",
      "path": "/api/stats",
      "params": [],
      "cache": false
    },
    {
      "client": "auth.login",
      "method": "GET",
      "path": "/api/login",
      "params": [],
      "cache": {
        "ttl": 60,
        "stale_while_revalidate": 30,
        "context": "public",
        "tags": []
      }
    },
    {
      "client": "books.get_book",
      "method": "GET",
      "path": "/api/books/{id}",
      "params": [
        {
          "name": "id",
          "in": "path",
          "type": "int",
          "list": false,
          "required": true,
          "enum": null
        }
      ],
      "cache": {
        "ttl": 60,
        "stale_while_revalidate": 30,
        "context": "public",
        "tags": [
          "catalog"
        ]
      }
    },
    {
      "client": "books.list_books",
      "method": "GET",
      "path": "/api/books",
      "params": [
        {
          "name": "genre",
          "in": "query",
          "type": "string",
          "list": false,
          "required": false,
          "enum": null
        }
      ],
      "cache": {
        "ttl": 60,
        "stale_while_revalidate": 30,
        "context": "public",
        "tags": [
          "catalog"
        ]
      }
    },
    {
      "client": "books.restock",
      "method": "POST",
      "path": "/api/books/restock",
      "params": [],
      "cache": false
    },
    {
      "client": "books.update_book",
      "method": "PUT",
      "path": "/api/books/{id}",
      "params": [
        {
          "name": "id",
          "in": "path",
          "type": "int",
          "list": false,
          "required": true,
          "enum": null
        },
        {
          "name": "title",
          "in": "body",
          "type": "string",
          "list": false,
          "required": true,
          "enum": null
        }
      ],
      "cache": false
    },
    {
      "client": "debug.slow",
      "method": "GET",
      "path": "/api/slow",
      "params": [],
      "cache": {
        "ttl": 60,
        "stale_while_revalidate": 30,
        "context": "public",
        "tags": []
      }
    },
    {
      "client": "files.big",
      "method": "GET",
      "path": "/api/big",
      "params": [],
      "cache": {
        "ttl": 60,
        "stale_while_revalidate": 30,
        "context": "public",
        "tags": []
      }
    },
    {
      "client": "me.cart",
      "method": "GET",
      "path": "/api/me/cart",
      "params": [],
      "cache": {
        "ttl": 60,
        "stale_while_revalidate": 30,
        "context": "user",
        "tags": []
      }
    },
    {
      "client": "pages.book",
      "method": "GET",
      "path": "/pages/books/{id}",
      "params": [
        {
          "name": "id",
          "in": "path",
          "type": "int",
          "list": false,
          "required": true,
          "enum": null
        }
      ],
      "cache": {
        "ttl": 300,
        "stale_while_revalidate": 30,
        "context": "public",
        "tags": []
      }
    }
  ],
  "invalidation": {
    "cart.add_item": [
      {
        "client": "me.cart",
        "params": {}
      }
    ],
    "books.update_book": [
      {
        "client": "books.get_book",
        "params": {
          "id": {
            "from": "id"
          }
        }
      },
      {
        "client": "books.list_books",
        "params": {}
      }
    ]
  }
}
"""#
}
