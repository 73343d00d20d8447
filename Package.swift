// swift-tools-version:6.0
import PackageDescription

#if os(Linux)
    import Glibc
#endif

/// Release builds on Linux are linked for a small resident size (see "Memory" in README.md):
/// lld places the functions the daemon runs together (bench/hot_symbols.py regenerates the
/// list), packs relative relocations (DT_RELR, read by glibc 2.36 and later; used only when the
/// building machine has such a glibc, as the runtime image does), exports no symbols, and puts
/// the functions the compiler leaves without a symbol together (`private-functions.ld`).
/// Our modules are compiled one section per function so the linker can move each one.
let packageRoot = String(#filePath.dropLast("/Package.swift".count))
let releaseOnLinux = BuildSettingCondition.when(platforms: [.linux], configuration: .release)
let compactCode: [SwiftSetting] = [.unsafeFlags(["-Xfrontend", "-function-sections"], releaseOnLinux)]
var compactLinkFlags = [
    "-use-ld=lld",
    "-Xlinker", "--symbol-ordering-file=\(packageRoot)/Sources/tweet-ingest/hot-symbols.txt",
    "-Xlinker", "--no-warn-symbol-ordering",
    "-Xlinker", "--no-export-dynamic",
    "-Xlinker", "-T", "-Xlinker", "\(packageRoot)/Sources/tweet-ingest/private-functions.ld",
]
#if os(Linux)
    var libcVersion = [CChar](repeating: 0, count: 64)  // "glibc 2.36"
    _ = confstr(Int32(_CS_GNU_LIBC_VERSION), &libcVersion, libcVersion.count)
    let glibcText = String(decoding: libcVersion.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let glibc = glibcText.split(separator: " ").last?.split(separator: ".").compactMap { Int($0) } ?? []
    if glibc.count >= 2, !glibc.lexicographicallyPrecedes([2, 36]) {
        compactLinkFlags += ["-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"]
    }
#endif

let package = Package(
    name: "tweet-ingest",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tweet-ingest", targets: ["tweet-ingest"]),
        .library(name: "TweetIngest", targets: ["TweetIngest"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.4.0"),
    ],
    targets: [
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(name: "CXattr"),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        .target(
            name: "Parquet",
            dependencies: ["CZstd", "CSnappy", "CZlib"],
            swiftSettings: compactCode
        ),
        .target(
            name: "TweetIngest",
            dependencies: [
                "CCurl",
                "CZlib",
                "COpenSSL",
                "CRdKafka",
                "CMalloc",
                "CXattr",
                "ZoneInfo",
                "Parquet",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: compactCode
        ),
        .target(name: "ZoneInfo", swiftSettings: compactCode),
        .executableTarget(
            name: "tweet-ingest",
            dependencies: [
                "TweetIngest",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            exclude: ["hot-symbols.txt", "private-functions.ld"],
            swiftSettings: compactCode,
            linkerSettings: [.unsafeFlags(compactLinkFlags, releaseOnLinux)]
        ),
        .testTarget(
            name: "TweetIngestTests",
            dependencies: ["TweetIngest"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "ZoneInfoTests", dependencies: ["ZoneInfo"]),
        .testTarget(
            name: "ParquetTests",
            dependencies: ["Parquet"],
            resources: [.copy("Support")]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["TweetIngest", "tweet-ingest"],
            resources: [.copy("Support")]
        ),
    ]
)
