import CCurl
import Dispatch
import Synchronization

/// The only file that touches libcurl.
///
/// Transfers run on a private dispatch queue so a blocking `curl_easy_perform` never occupies a
/// thread of Swift's cooperative pool. Easy handles are kept and reused, and with them their
/// open connections (keep-alive across polls). TLS peer and host verification stay on.
public final class CurlHTTPClient: HTTPClient, @unchecked Sendable {
    private let queue = DispatchQueue(label: "tweet-ingest.curl", attributes: .concurrent)
    private let idleHandles = Mutex<[CurlEasyHandle]>([])
    private let userAgent: String

    public init(userAgent: String = "tweet-ingest/0.1") {
        CurlGlobal.initialize()
        self.userAgent = userAgent
    }

    public func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        let transfer = CurlTransfer(request: request)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, Error>) in
                queue.async {
                    let handle = self.idleHandles.withLock { $0.popLast() } ?? CurlEasyHandle()
                    let result = Result { try transfer.perform(on: handle, userAgent: self.userAgent) }
                    handle.reset()
                    self.idleHandles.withLock { if $0.count < 8 { $0.append(handle) } }
                    continuation.resume(with: result)
                }
            }
        } onCancel: {
            transfer.cancelled.store(true, ordering: .relaxed)
        }
    }
}

/// curl_global_init must run once before any handle exists.
private enum CurlGlobal {
    static let once: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()
    static func initialize() { _ = once }
}

/// Owns one CURL easy handle; cleans it up when released.
final class CurlEasyHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer

    init() {
        guard let raw = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        self.raw = raw
    }

    /// Clears options but keeps the handle's connection cache for the next request.
    func reset() { curl_easy_reset(raw) }

    deinit { curl_easy_cleanup(raw) }
}

/// One request's state, shared with libcurl's callbacks through an unmanaged pointer.
final class CurlTransfer: @unchecked Sendable {
    let request: HTTPRequest
    let cancelled = Atomic<Bool>(false)
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []

    init(request: HTTPRequest) { self.request = request }

    func perform(on handle: CurlEasyHandle, userAgent: String) throws -> HTTPResponse {
        let h = handle.raw
        let me = Unmanaged.passUnretained(self).toOpaque()
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var list: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(list) }
        for header in request.headers {
            list = curl_slist_append(list, "\(header.name): \(header.value)")
        }
        if request.body != nil {
            list = curl_slist_append(list, "Expect:")
            // Without this curl labels the body a form (application/x-www-form-urlencoded).
            if request.header("Content-Type") == nil { list = curl_slist_append(list, "Content-Type:") }
        }

        _ = ccurl_setopt_string(h, CURLOPT_URL, request.url)
        _ = ccurl_setopt_string(h, CURLOPT_USERAGENT, userAgent)
        _ = ccurl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 1)
        _ = ccurl_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 2)
        _ = ccurl_setopt_long(h, CURLOPT_TCP_KEEPALIVE, 1)
        _ = ccurl_setopt_long(h, CURLOPT_FOLLOWLOCATION, 0)
        _ = ccurl_setopt_long(h, CURLOPT_TIMEOUT, request.timeoutSeconds)
        _ = ccurl_setopt_long(h, CURLOPT_CONNECTTIMEOUT, min(10, request.timeoutSeconds))
        _ = ccurl_setopt_string(h, CURLOPT_ACCEPT_ENCODING, "")
        _ = ccurl_setopt_slist(h, CURLOPT_HTTPHEADER, list)
        _ = ccurl_setopt_pointer(h, CURLOPT_WRITEDATA, me)
        _ = ccurl_setopt_data_callback(h, CURLOPT_WRITEFUNCTION, curlWriteBody)
        _ = ccurl_setopt_pointer(h, CURLOPT_HEADERDATA, me)
        _ = ccurl_setopt_data_callback(h, CURLOPT_HEADERFUNCTION, curlWriteHeader)
        _ = ccurl_setopt_long(h, CURLOPT_NOPROGRESS, 0)
        _ = ccurl_setopt_pointer(h, CURLOPT_XFERINFODATA, me)
        _ = ccurl_setopt_progress_callback(h, curlProgress)

        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errorBytes in
            _ = ccurl_setopt_pointer(h, CURLOPT_ERRORBUFFER, errorBytes.baseAddress)
            let upper = request.method.uppercased()
            guard let payload = request.body else {
                if upper == "GET" {
                    _ = ccurl_setopt_long(h, CURLOPT_HTTPGET, 1)
                } else if upper == "HEAD" {
                    _ = ccurl_setopt_long(h, CURLOPT_NOBODY, 1)
                } else {
                    _ = ccurl_setopt_string(h, CURLOPT_CUSTOMREQUEST, upper)
                }
                return curl_easy_perform(h)
            }
            return payload.withUnsafeBufferPointer { bytes in
                _ = ccurl_setopt_string(h, CURLOPT_CUSTOMREQUEST, upper)
                _ = ccurl_setopt_off_t(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count))
                // An empty body still needs a valid pointer, or curl would read the data with strlen.
                let pointer =
                    bytes.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) } ?? UnsafeMutableRawPointer(errorBytes.baseAddress!)
                _ = ccurl_setopt_pointer(h, CURLOPT_POSTFIELDS, pointer)
                return curl_easy_perform(h)
            }
        }
        _ = ccurl_setopt_pointer(h, CURLOPT_ERRORBUFFER, nil)
        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let summary = String(cString: curl_easy_strerror(code))
            throw HTTPTransportError(
                kind: Self.kind(of: code),
                message: "\(request.method) \(Self.redactedURL(request.url)): \(detail.isEmpty ? summary : detail)")
        }
        var status = 0
        _ = ccurl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: headers, body: body)
    }

    private static func kind(of code: CURLcode) -> HTTPTransportError.Kind {
        switch code {
        case CURLE_OPERATION_TIMEDOUT: .timedOut
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: .connectionFailed
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2_STREAM, CURLE_HTTP2:
            .connectionDropped
        case CURLE_ABORTED_BY_CALLBACK: .cancelled
        default: .other
        }
    }

    /// Error messages show where a request went, never its query string.
    static func redactedURL(_ url: String) -> String {
        url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
    }

    fileprivate func receivedHeaderLine(_ line: String) {
        let trimmed = line.trimmingWhitespace()
        if trimmed.hasPrefix("HTTP/") {
            headers.removeAll()  // a new response (after 100 Continue): keep only the final headers
            return
        }
        guard let colon = trimmed.firstIndex(of: ":") else { return }
        let name = trimmed[..<colon].lowercased()
        let value = trimmed[trimmed.index(after: colon)...].trimmingWhitespace()
        headers.append((name, value))
    }
}

private func curlWriteBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    data.withMemoryRebound(to: UInt8.self, capacity: length) {
        transfer.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
    }
    return length
}

private func curlWriteHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
    transfer.receivedHeaderLine(line)
    return length
}

private func curlProgress(_ context: UnsafeMutableRawPointer?, _: curl_off_t, _: curl_off_t, _: curl_off_t, _: curl_off_t) -> Int32 {
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.cancelled.load(ordering: .relaxed) ? 1 : 0
}
