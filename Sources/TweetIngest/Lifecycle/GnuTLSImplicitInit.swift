#if canImport(Glibc)
    import Glibc
#endif

/// GnuTLS initialises itself when it is loaded unless `GNUTLS_NO_IMPLICIT_INIT` is set, and
/// Debian's libcurl loads it with every program (through librtmp; our TLS is OpenSSL): its
/// constructor leaves ~0.6 MiB more of libgnutls resident in an idle daemon (1.1 instead of 0.5) for
/// nothing (README, "Memory"). The dynamic loader runs that constructor before `main`, so setting
/// the variable then is too late for this process: `run` sets it and executes itself once more,
/// same pid, arguments and descriptors, before it does anything else. The image sets the
/// variable up front, which spares that exec; a value the user set (even `0`) is left alone.
public enum GnuTLSImplicitInit {
    /// Whether to set the variable and exec again: only the long-running daemon (`run`, also the
    /// default command, with or without flags: `command` is the first argument, nil without one),
    /// and only when the variable is not set at all. C strings only: this runs before anything
    /// else, and Swift's string and dictionary code here would page in code an idle daemon
    /// otherwise never touches (~0.8 MiB more resident, measured).
    public static func shouldReexec(variableIsSet: Bool, command: UnsafePointer<CChar>?) -> Bool {
        guard !variableIsSet else { return false }
        guard let command else { return true }
        return strcmp(command, "run") == 0 || command[0] == CChar(UInt8(ascii: "-"))
    }

    /// Sets the variable and replaces the process image with itself (`/proc/self/exe`) when
    /// `shouldReexec` says so. Returns only when it did not exec (not needed, or the exec
    /// failed: then the process goes on as it is, with GnuTLS initialised).
    public static func reexecIfNeeded() {
        #if os(Linux)
            let argv = CommandLine.unsafeArgv
            let command = CommandLine.argc > 1 ? argv[1].map { UnsafePointer($0) } : nil
            guard shouldReexec(variableIsSet: getenv("GNUTLS_NO_IMPLICIT_INIT") != nil, command: command) else { return }
            setenv("GNUTLS_NO_IMPLICIT_INIT", "1", 1)
            execv("/proc/self/exe", argv)
        #endif
    }
}
