import FoundationEssentials
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What the daemon says about its own progress, written to `STATE_DIR/health.json` for
/// `tweet-ingest healthcheck` (the container health check) to judge without any network call.
public struct HealthState: Codable, Equatable, Sendable {
    public var pid: Int32
    public var startedAt: Date
    public var pollIntervalSeconds: Int
    public var bufferIntervalSeconds: Int
    public var requestTimeoutSeconds: Int
    /// End of the last poll cycle that completed.
    public var lastPollAt: Date?
    /// The daemon is deliberately waiting (rate-limit reset, usage-cap pause) until then.
    public var waitingUntil: Date?
    /// Arrival of the oldest record not yet delivered.
    public var oldestUndeliveredAt: Date?
    public var lastDeliveryAt: Date?
    public var updatedAt: Date

    public init(pid: Int32, startedAt: Date, pollIntervalSeconds: Int, bufferIntervalSeconds: Int, requestTimeoutSeconds: Int) {
        self.pid = pid
        self.startedAt = startedAt
        self.pollIntervalSeconds = pollIntervalSeconds
        self.bufferIntervalSeconds = bufferIntervalSeconds
        self.requestTimeoutSeconds = requestTimeoutSeconds
        updatedAt = startedAt
    }

    /// Longest a healthy daemon goes without finishing a poll cycle: three intervals plus the
    /// time five retried requests and their backoff can take.
    public var pollDeadline: TimeInterval {
        Double(3 * pollIntervalSeconds + 5 * requestTimeoutSeconds + 120)
    }

    /// Longest a record may wait for delivery before the sink is considered stuck.
    public var deliveryDeadline: TimeInterval { Double(bufferIntervalSeconds + pollIntervalSeconds + 300) }

    /// Nil when healthy, otherwise the reason.
    public func problem(now: Date, processAlive: Bool) -> String? {
        guard processAlive else { return "the daemon (pid \(pid)) is not running" }
        if let waitingUntil, waitingUntil > now { return nil }
        // A pause that ended counts as progress at its end: the first cycle after it has a full deadline.
        let lastProgress = max(lastPollAt ?? startedAt, waitingUntil ?? startedAt)
        let sincePoll = now.timeIntervalSince(lastProgress)
        if sincePoll > pollDeadline {
            return
                "no poll cycle has completed for \(Int(sincePoll)) s (limit \(Int(pollDeadline)) s): the X API is unreachable or failing; see the logs"
        }
        if let oldest = oldestUndeliveredAt, now.timeIntervalSince(oldest) > deliveryDeadline {
            return
                "records have waited \(Int(now.timeIntervalSince(oldest))) s for delivery (limit \(Int(deliveryDeadline)) s): the sink is failing; see the logs"
        }
        return nil
    }
}

extension HealthState {
    /// The state as `JSONEncoder` writes it with sorted keys and dates in seconds since 1970
    /// (what `check` decodes), without `JSONEncoder`: the daemon writes this on every cycle,
    /// and the encoder's machinery would otherwise stay resident in an idle daemon for it.
    func json() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(320)
        var first = true
        func key(_ name: StaticString) {
            JSONWriting.appendLiteral(first ? "{\"" : ",\"", to: &out)
            JSONWriting.appendLiteral(name, to: &out)
            JSONWriting.appendLiteral("\":", to: &out)
            first = false
        }
        func number(_ name: StaticString, _ value: some BinaryInteger) {
            key(name)
            out.append(contentsOf: String(value).utf8)
        }
        func date(_ name: StaticString, _ value: Date?) {
            guard let value else { return }
            key(name)
            out.append(contentsOf: JSONWriting.number(value.timeIntervalSince1970).utf8)
        }
        // Keys in sorted order.
        number("bufferIntervalSeconds", bufferIntervalSeconds)
        date("lastDeliveryAt", lastDeliveryAt)
        date("lastPollAt", lastPollAt)
        date("oldestUndeliveredAt", oldestUndeliveredAt)
        number("pid", pid)
        number("pollIntervalSeconds", pollIntervalSeconds)
        number("requestTimeoutSeconds", requestTimeoutSeconds)
        date("startedAt", startedAt)
        date("updatedAt", updatedAt)
        date("waitingUntil", waitingUntil)
        out.append(UInt8(ascii: "}"))
        return out
    }
}

/// Keeps the health state and writes it (atomically) when it changes.
public final class HealthReporter: Sendable {
    public let path: String?
    private let state: Mutex<HealthState>

    public init(path: String?, initial: HealthState) {
        self.path = path
        state = Mutex(initial)
    }

    public func update(now: Date = Date(), _ change: (inout HealthState) -> Void) {
        let snapshot = state.withLock { state -> HealthState in
            change(&state)
            state.updatedAt = now
            return state
        }
        guard let path else { return }
        try? LocalDirectorySink.writeAtomically(snapshot.json(), to: path, sync: false)
    }

    public var current: HealthState { state.withLock { $0 } }

    /// Reads the state file and judges it; used by `tweet-ingest healthcheck`.
    public static func check(path: String, now: Date = Date()) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else {
            return "no health file at \(path): the daemon is not running, or STATE_DIR differs from the daemon's"
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        guard let state = try? decoder.decode(HealthState.self, from: data) else {
            return "the health file \(path) is unreadable"
        }
        let alive = kill(state.pid, 0) == 0 || errno == EPERM
        return state.problem(now: now, processAlive: alive)
    }
}
