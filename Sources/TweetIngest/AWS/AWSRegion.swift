/// The region requests are signed for, resolved the way the AWS SDKs do: `AWS_REGION` /
/// `AWS_DEFAULT_REGION`, else the profile's `region` in the shared config file, else `us-east-1`
/// for a custom endpoint (MinIO, LocalStack, moto ignore it). Shared by every AWS destination.
enum AWSRegion {
    /// `missing` says, for the user, what needs the region (e.g. "S3_BUCKET needs the bucket's region").
    static func resolve(
        explicit: String?, credentials: AWSCredentialSettings, hasCustomEndpoint: Bool, missing: String
    ) throws(ConfigError) -> String {
        if let explicit { return explicit }
        let files = credentials.sharedFiles()
        if let region = files.region(profile: credentials.profile ?? "default") {
            guard SigV4Signer.isScopeComponent(region) else {
                throw ConfigError([
                    ConfigProblem(
                        variable: EnvironmentVariable.awsRegion.rawValue, value: nil,
                        allowed: "the region \"\(region)\" in \(files.configPath) is not a region code; set AWS_REGION such as eu-west-1")
                ])
            }
            return region
        }
        if hasCustomEndpoint { return "us-east-1" }
        throw ConfigError([
            ConfigProblem(
                variable: EnvironmentVariable.awsRegion.rawValue, value: nil,
                allowed: "\(missing): set AWS_REGION (or AWS_DEFAULT_REGION, or region in the profile in \(files.configPath))")
        ])
    }
}
