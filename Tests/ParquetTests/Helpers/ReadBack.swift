import Foundation
import Testing

@testable import Parquet

/// Writes `rows` to a file, the expected JSON beside it, and runs read_parquet.py (pyarrow and
/// DuckDB) over both. Returns its exit status and output.
struct ReadBack {
    struct Outcome {
        var status: Int32
        var output: String
    }

    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("parquet-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Keeps the files when PARQUET_TEST_KEEP is set, to look at them by hand.
    func remove() {
        guard ProcessInfo.processInfo.environment["PARQUET_TEST_KEEP"] == nil else { return }
        try? FileManager.default.removeItem(at: directory)
    }

    static func write(
        _ rows: [[TestValue]], fields: [ParquetField], options: ParquetWriterOptions
    ) throws -> (file: [UInt8], writer: ParquetWriter) {
        var writer = ParquetWriter(schema: ParquetSchema(fields), options: options)
        let shredder = Shredder(fields: fields)
        for row in rows { try shredder.write(row, to: &writer) }
        let file = try writer.finish()
        return (file, writer)
    }

    func check(
        file: [UInt8], rows: [[TestValue]], fields: [ParquetField], name: String,
        minRowGroups: Int = 1, dictionary: [String: Bool] = [:]
    ) throws -> Outcome {
        let fileURL = directory.appendingPathComponent("\(name).parquet")
        let expectedURL = directory.appendingPathComponent("\(name).json")
        try Data(file).write(to: fileURL)
        let expected: [String: Any] = [
            "schema": fields.map(Shredder.describe),
            "rows": rows.map { row in Dictionary(uniqueKeysWithValues: zip(fields, row).map { ($0.name, $1.json($0)) }) },
            "min_row_groups": minRowGroups,
            "dictionary": dictionary,
        ]
        try JSONSerialization.data(withJSONObject: expected).write(to: expectedURL)
        return try Self.run(fileURL.path, expectedURL.path)
    }

    static var script: String {
        Bundle.module.url(forResource: "Support", withExtension: nil)!.appendingPathComponent("read_parquet.py").path
    }

    /// Fails the test, saying how to install the readers, when python3, pyarrow or DuckDB is missing.
    static func run(_ file: String, _ expected: String) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, file, expected]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            Issue.record("python3 could not be started (\(error)): run scripts/setup.sh --test")
            throw error
        }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 2 || process.terminationStatus == 127 {
            Issue.record("the Parquet readers are missing: run scripts/setup.sh --test (it installs pyarrow and duckdb)\n\(output)")
        }
        return Outcome(status: process.terminationStatus, output: output)
    }
}
