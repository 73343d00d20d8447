import FoundationEssentials
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// A minimal HTTP endpoint for Prometheus: `GET /metrics` answers the text exposition, anything
/// else 404. Blocking accept on its own thread (not the cooperative pool); one request per
/// connection; it only ever reads a request line and headers, never a body.
public final class PrometheusServer: Service, @unchecked Sendable {
    public let registry: MetricsRegistry
    public let stream: String
    private let socketFD: Int32
    public let port: Int

    /// Binds `host:port` now, so a taken port is a start-up error, not a silent gap.
    public init(registry: MetricsRegistry, stream: String, host: String = "0.0.0.0", port: Int) throws {
        self.registry = registry
        self.stream = stream
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PrometheusServerError("cannot create a socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw PrometheusServerError("cannot listen on \(host):\(port) for METRICS_PORT: \(reason)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        socketFD = fd
    }

    public func run() async throws {
        try startThread(name: "metrics.accept") { [self] in acceptLoop() }
        try? await gracefulShutdown()
        shutdown(socketFD, Int32(SHUT_RDWR))
        close(socketFD)
    }

    private func acceptLoop() {
        while true {
            let client = accept(socketFD, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            serve(client)
            close(client)
        }
    }

    private func serve(_ client: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 2048)
        while request.count < 8192, !request.ends(with: [13, 10, 13, 10]) {
            let n = chunk.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            request += chunk[0..<n]
        }
        let line = String(decoding: request.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
        let parts = line.split(separator: " ")
        let ok = parts.count >= 2 && parts[0] == "GET" && (parts[1] == "/metrics" || parts[1].hasPrefix("/metrics?"))
        let body = ok ? PrometheusExposition.text(registry.snapshot(), stream: stream) : "not found: try /metrics\n"
        let head =
            "HTTP/1.1 \(ok ? "200 OK" : "404 Not Found")\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
        let response = Array((head + body).utf8)
        var offset = 0
        while offset < response.count {
            let n = response.withUnsafeBytes { write(client, $0.baseAddress! + offset, response.count - offset) }
            if n <= 0 { break }
            offset += n
        }
    }
}

public struct PrometheusServerError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
