import Testing

@testable import ZoneInfo
