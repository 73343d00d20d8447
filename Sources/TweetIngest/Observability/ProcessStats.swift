#if canImport(Glibc)
    import Glibc
#endif

/// Numbers about this process, for the log line a run ends with.
public enum ProcessStats {
    /// Peak resident set size so far, in MiB (getrusage's ru_maxrss is in KiB on Linux).
    public static var peakRSSMegabytes: Double {
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
