/// Process exit codes, from sysexits(3) where one fits.
public enum ExitStatus {
    /// EX_CONFIG: a setting is wrong; fix the environment.
    public static let config: Int32 = 78
    /// EX_NOPERM: the X API refused the token or the app's access.
    public static let notAuthorized: Int32 = 77
    /// EX_UNAVAILABLE: the destination failed its start-up check.
    public static let unavailable: Int32 = 69
    /// EX_TEMPFAIL: another daemon writes the same checkpoint; this one stopped.
    public static let conflict: Int32 = 75
    public static let failure: Int32 = 1

    /// The exit code for an error that ended the process.
    public static func code(for error: any Error) -> Int32 {
        switch error {
        case is ConfigError: config
        case SearchError.notAuthorized: notAuthorized
        case SearchError.badRequest: config
        case is S3HealthcheckError, is FirehoseHealthcheckError, is KafkaStartupError: unavailable
        case is CheckpointConflictError: conflict
        default: failure
        }
    }
}
