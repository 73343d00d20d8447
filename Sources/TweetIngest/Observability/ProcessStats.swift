import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// Numbers about this process, for the log line a run ends with.
public enum ProcessStats {
    /// Peak resident set size so far, in MiB: `VmHWM` of /proc/self/status, this program's own
    /// high-water mark. (getrusage's ru_maxrss survives execve: a daemon started by a large
    /// parent, such as a test runner, would report the parent's size at the fork.)
    public static var peakRSSMegabytes: Double {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
        {
            return kilobytes / 1024
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// User plus system CPU time so far, in seconds.
    public static var cpuSeconds: Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
