import CCurl
import Foundation

/// Settings shared by every transfer of one client.
struct CurlSettings: Sendable {
    var userAgent: String
    var caBundlePath: String?
}

/// One attempt at one request on its own curl easy handle: the handle's options, the state its
/// callbacks read and write, and the outcome. Callbacks reach it through an unretained pointer
/// passed as their data, so whoever adds its handle to a multi handle keeps it alive until the
/// handle is removed.
final class CurlTransfer {
    let index: Int
    let attempt: Int
    let request: HTTPRequestSpec
    let handle: UnsafeMutableRawPointer

    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var source: BodySource
    private var responseBody: [UInt8] = []
    private var responseHeaders: [(name: String, value: String)] = []
    /// A failure that a callback saw (the file, an oversized response); it explains the curl
    /// code that follows it.
    private var callbackFailure: HTTPTransportError?

    private enum BodySource {
        case none
        case bytes([UInt8], offset: Int)
        case file(descriptor: Int32, path: String, size: Int, offset: Int)

        var size: Int {
            switch self {
            case .none: 0
            case .bytes(let bytes, _): bytes.count
            case .file(_, _, let size, _): size
            }
        }
    }

    /// Opens the body's file and configures an easy handle for `request`, or says why it cannot.
    static func make(index: Int, attempt: Int, request: HTTPRequestSpec, settings: CurlSettings) -> Result<CurlTransfer, HTTPTransportError> {
        let host = hostName(of: request.url)
        if let problem = check(request) {
            return .failure(HTTPTransportError(kind: .other, message: "cannot send the request to \(host): \(problem)"))
        }
        let source: BodySource
        switch request.body {
        case .none: source = .none
        case .bytes(let bytes): source = .bytes(bytes, offset: 0)
        case .file(let path):
            switch openFile(path) {
            case .success(let (descriptor, size)): source = .file(descriptor: descriptor, path: path, size: size, offset: 0)
            case .failure(let error): return .failure(error)
            }
        }
        guard let handle = curl_easy_init() else {
            if case .file(let descriptor, _, _, _) = source { close(descriptor) }
            return .failure(HTTPTransportError(kind: .other, message: "cannot send the request to \(host): libcurl could not create a handle"))
        }
        let transfer = CurlTransfer(index: index, attempt: attempt, request: request, handle: handle, source: source)
        if let problem = transfer.configure(settings) {
            return .failure(HTTPTransportError(kind: .other, message: "cannot send the request to \(host): \(problem)"))
        }
        return .success(transfer)
    }

    private init(index: Int, attempt: Int, request: HTTPRequestSpec, handle: UnsafeMutableRawPointer, source: BodySource) {
        self.index = index
        self.attempt = attempt
        self.request = request
        self.handle = handle
        self.source = source
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
        if case .file(let descriptor, _, _, _) = source { close(descriptor) }
    }

    /// Bytes of the body sent so far in this attempt.
    var uploadedBytes: Int64 {
        var value: curl_off_t = 0
        _ = ccurl_easy_getinfo_off(handle, CURLINFO_SIZE_UPLOAD_T, &value)
        return Int64(value)
    }

    /// The outcome once curl reports the transfer done with `code`.
    func outcome(_ code: CURLcode) -> Result<HTTPResponseData, HTTPTransportError> {
        if code == CURLE_OK {
            var status = 0
            _ = ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            return .success(HTTPResponseData(status: status, headers: responseHeaders, body: responseBody))
        }
        if let callbackFailure { return .failure(callbackFailure) }
        let host = Self.hostName(of: request.url)
        var proxyStatus = 0
        _ = ccurl_easy_getinfo_long(handle, CURLINFO_HTTP_CONNECTCODE, &proxyStatus)
        if proxyStatus >= 300 {
            // The proxy (from the environment) answered CONNECT with an error: its 5xx may pass,
            // a 403 or 407 is a setting to fix.
            let message = "the proxy refused a tunnel to \(host) with status \(proxyStatus); check https_proxy and no_proxy"
            return .failure(HTTPTransportError(kind: proxyStatus >= 500 ? .connect : .other, message: message))
        }
        let detail = errorBuffer.pointee != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        return .failure(Self.error(code, detail: detail, host: host))
    }

    // MARK: - Options

    /// Sets every option; returns a problem when libcurl refuses one (an older libcurl than
    /// 7.85, say).
    private func configure(_ settings: CurlSettings) -> String? {
        var refused: String?
        func check(_ code: CURLcode, _ what: String) {
            if code != CURLE_OK, refused == nil { refused = "libcurl refused \(what): \(String(cString: curl_easy_strerror(code)))" }
        }
        func set(_ option: CURLoption, _ value: Int, _ what: String) { check(ccurl_easy_setopt_long(handle, option, value), what) }
        func set(_ option: CURLoption, _ value: String, _ what: String) { check(ccurl_easy_setopt_string(handle, option, value), what) }

        let context = Unmanaged.passUnretained(self).toOpaque()
        set(CURLOPT_URL, request.url, "the URL")
        // Only HTTP(S), and never a redirect: a URL or Location cannot point curl at a file or
        // another host with the token.
        set(CURLOPT_PROTOCOLS_STR, "http,https", "the protocol list")
        set(CURLOPT_FOLLOWLOCATION, 0, "FOLLOWLOCATION")
        // Signals do not mix with threads; curl uses its threaded resolver instead.
        set(CURLOPT_NOSIGNAL, 1, "NOSIGNAL")
        set(CURLOPT_SSL_VERIFYPEER, 1, "SSL_VERIFYPEER")
        set(CURLOPT_SSL_VERIFYHOST, 2, "SSL_VERIFYHOST")
        if let caBundle = settings.caBundlePath { set(CURLOPT_CAINFO, caBundle, "the CA bundle") }
        set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout), "the connect timeout")
        set(CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout), "the timeout")
        if request.stallTimeout > 0 {
            set(CURLOPT_LOW_SPEED_LIMIT, 1, "the low-speed limit")
            set(CURLOPT_LOW_SPEED_TIME, max(1, Int(request.stallTimeout.rounded(.up))), "the low-speed time")
        }
        set(CURLOPT_TCP_KEEPALIVE, 1, "TCP_KEEPALIVE")
        // Proxies: no CURLOPT_PROXY, so libcurl takes http_proxy, https_proxy, all_proxy and
        // no_proxy from the environment itself. A proxy's answer to CONNECT is not the response.
        set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1, "SUPPRESS_CONNECT_HEADERS")
        set(CURLOPT_USERAGENT, settings.userAgent, "the user agent")
        check(ccurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), "the error buffer")

        check(ccurl_easy_setopt_write_function(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            guard let context else { return 0 }
            return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().received(data, size * count)
        }, "the write function")
        check(ccurl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context), "WRITEDATA")
        check(ccurl_easy_setopt_write_function(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            guard let context else { return 0 }
            return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().receivedHeader(data, size * count)
        }, "the header function")
        check(ccurl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context), "HEADERDATA")
        check(ccurl_easy_setopt_read_function(handle) { buffer, size, count, context in
            guard let context else { return Int(CURL_READFUNC_ABORT) }
            return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().read(into: buffer, size * count)
        }, "the read function")
        check(ccurl_easy_setopt_pointer(handle, CURLOPT_READDATA, context), "READDATA")
        // curl rewinds the body when it resends on a fresh connection (a reused one the server
        // had closed).
        check(ccurl_easy_setopt_seek_function(handle) { context, offset, origin in
            guard let context else { return CURL_SEEKFUNC_FAIL }
            return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().seek(to: Int(offset), origin: origin)
        }, "the seek function")
        check(ccurl_easy_setopt_pointer(handle, CURLOPT_SEEKDATA, context), "SEEKDATA")

        let method = request.method.uppercased()
        let hasBody = request.body.isPresent
        var extraHeaders: [String] = []
        switch method {
        case "GET" where !hasBody:
            set(CURLOPT_HTTPGET, 1, "HTTPGET")
        case "HEAD" where !hasBody:
            set(CURLOPT_NOBODY, 1, "NOBODY")
        case "POST":
            set(CURLOPT_POST, 1, "POST")
            check(ccurl_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(source.size)), "the body size")
            // curl would label the body a form otherwise.
            if !hasHeader("content-type") { extraHeaders.append("Content-Type:") }
        case _ where hasBody || method == "PUT":
            // UPLOAD makes a PUT with a Content-Length; another method keeps that and changes
            // only the request line.
            set(CURLOPT_UPLOAD, 1, "UPLOAD")
            check(ccurl_easy_setopt_off(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(source.size)), "the body size")
            if method != "PUT" { set(CURLOPT_CUSTOMREQUEST, method, "the method") }
        default:
            set(CURLOPT_CUSTOMREQUEST, method, "the method")
        }
        // `Expect: 100-continue` would hold every upload for a second on servers that do not
        // answer it.
        if !hasHeader("expect") { extraHeaders.append("Expect:") }

        for (name, value) in request.headers {
            // "Name:" would remove the header; "Name;" sends it empty.
            headerList = curl_slist_append(headerList, value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        for line in extraHeaders { headerList = curl_slist_append(headerList, line) }
        if headerList != nil { check(ccurl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList), "the headers") }
        return refused
    }

    private func hasHeader(_ lowercasedName: String) -> Bool {
        request.headers.contains { $0.name.lowercased() == lowercasedName }
    }

    private static func milliseconds(_ seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return max(1, Int((seconds * 1000).rounded()))
    }

    /// A request that curl would send wrong or that could smuggle a header: a bad method, a
    /// header name that is not a token, a value with a line break. Names only, never values.
    private static func check(_ request: HTTPRequestSpec) -> String? {
        let token = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        if request.method.isEmpty || !request.method.allSatisfy(token.contains) { return "the method \"\(request.method)\" is not valid" }
        for (name, value) in request.headers {
            if name.isEmpty || !name.allSatisfy(token.contains) { return "a header name is not valid" }
            if value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
                return "the value of header \(name) has a line break or NUL"
            }
        }
        if request.method.uppercased() == "HEAD", request.body.isPresent { return "a HEAD request cannot carry a body" }
        return nil
    }

    private static func openFile(_ path: String) -> Result<(Int32, Int), HTTPTransportError> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            return .failure(HTTPTransportError(kind: .fileUnreadable, message: "cannot open \(path) to upload it: \(reason)"))
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            return .failure(HTTPTransportError(kind: .fileUnreadable, message: "cannot upload \(path): it is not a regular file"))
        }
        return .success((descriptor, Int(info.st_size)))
    }

    // MARK: - Callbacks (on the thread that drives the transfer)

    private func received(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard count > 0, let data else { return count }
        if responseBody.count + count > request.maxResponseBytes {
            callbackFailure = HTTPTransportError(
                kind: .other, message: "the response from \(Self.hostName(of: request.url)) is larger than \(request.maxResponseBytes) bytes")
            return 0
        }
        data.withMemoryRebound(to: UInt8.self, capacity: count) { responseBody.append(contentsOf: UnsafeBufferPointer(start: $0, count: count)) }
        return count
    }

    /// One header line, with its CRLF. A status line starts a new response (after a
    /// `100 Continue`, say), so it drops the headers collected so far.
    private func receivedHeader(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard count > 0, let data else { return count }
        let line = data.withMemoryRebound(to: UInt8.self, capacity: count) {
            String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
        }
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            responseHeaders.removeAll()
            responseBody.removeAll()
        } else if line.first == " " || line.first == "\t" {
            // An obsolete folded continuation of the previous header.
            if !responseHeaders.isEmpty, !trimmed.isEmpty { responseHeaders[responseHeaders.count - 1].value += " " + trimmed }
        } else if let colon = trimmed.firstIndex(of: ":") {
            let name = trimmed[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            responseHeaders.append((name: name, value: value))
        }
        return count
    }

    private func read(into buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int) -> Int {
        guard let buffer, capacity > 0 else { return 0 }
        switch source {
        case .none:
            return 0
        case .bytes(let bytes, let offset):
            let count = min(capacity, bytes.count - offset)
            guard count > 0 else { return 0 }
            bytes.withUnsafeBytes { UnsafeMutableRawPointer(buffer).copyMemory(from: $0.baseAddress! + offset, byteCount: count) }
            source = .bytes(bytes, offset: offset + count)
            return count
        case .file(let descriptor, let path, let size, let offset):
            // Never past the size announced in Content-Length, even if the file grew.
            let wanted = min(capacity, size - offset)
            guard wanted > 0 else { return 0 }
            var count: Int
            repeat { count = readDescriptor(descriptor, buffer, wanted) } while count < 0 && errno == EINTR
            if count < 0 {
                let reason = String(cString: strerror(errno))
                callbackFailure = HTTPTransportError(kind: .fileUnreadable, message: "cannot read \(path) while uploading it: \(reason)")
                return Int(CURL_READFUNC_ABORT)
            }
            if count == 0 {
                callbackFailure = HTTPTransportError(
                    kind: .fileUnreadable, message: "\(path) became shorter while it was uploaded (\(offset) of \(size) bytes)")
                return Int(CURL_READFUNC_ABORT)
            }
            source = .file(descriptor: descriptor, path: path, size: size, offset: offset + count)
            return count
        }
    }

    private func seek(to offset: Int, origin: Int32) -> Int32 {
        guard origin == SEEK_SET, offset >= 0, offset <= source.size else { return CURL_SEEKFUNC_CANTSEEK }
        switch source {
        case .none: return offset == 0 ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_CANTSEEK
        case .bytes(let bytes, _): source = .bytes(bytes, offset: offset)
        case .file(let descriptor, let path, let size, _):
            guard lseek(descriptor, off_t(offset), SEEK_SET) == off_t(offset) else { return CURL_SEEKFUNC_FAIL }
            source = .file(descriptor: descriptor, path: path, size: size, offset: offset)
        }
        return CURL_SEEKFUNC_OK
    }

    // MARK: - Errors

    /// The host of `url`, the only part of a request that error messages name.
    static func hostName(of url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else { return "the server" }
        return components.port.map { "\(host):\($0)" } ?? host
    }

    static func error(_ code: CURLcode, detail: String, host: String) -> HTTPTransportError {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            HTTPTransportError(kind: .connect, message: "cannot connect to \(host): \(detail)")
        case CURLE_OPERATION_TIMEDOUT:
            HTTPTransportError(kind: .timeout, message: "\(host) did not answer in time: \(detail)")
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
             CURLE_SSL_CRL_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
             CURLE_USE_SSL_FAILED:
            HTTPTransportError(kind: .tls, message: "a secure connection to \(host) failed: \(detail)")
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM,
             CURLE_HTTP3, CURLE_SEND_FAIL_REWIND:
            HTTPTransportError(kind: .interrupted, message: "the connection to \(host) dropped: \(detail)")
        default:
            HTTPTransportError(kind: .other, message: "the request to \(host) failed: \(detail)")
        }
    }
}

/// `read(2)`, which the transfer's own `read(into:_:)` hides inside the class.
private func readDescriptor(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
