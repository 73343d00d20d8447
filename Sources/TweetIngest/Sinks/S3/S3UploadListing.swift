/// One page of ListMultipartUploads: the unfinished uploads, and where the next page starts when
/// S3 cut the listing short (`IsTruncated`, at 1,000 uploads by default).
public struct S3UploadListing: Sendable, Equatable {
    public var uploads: [AbandonedUpload]
    /// `NextKeyMarker` and `NextUploadIdMarker` of a truncated page; nil on the last page.
    public var next: (keyMarker: String, uploadIDMarker: String?)?

    public init(uploads: [AbandonedUpload], next: (keyMarker: String, uploadIDMarker: String?)? = nil) {
        self.uploads = uploads
        self.next = next
    }

    /// Nil when the text is not a `ListMultipartUploadsResult`, or a truncated one names no
    /// marker to continue from (following it would list the same page forever).
    public init?(parsing text: String) {
        guard text.containsText("<ListMultipartUploadsResult") else { return nil }
        var uploads: [AbandonedUpload] = []
        var rest = text[...]
        while let open = rest.firstRange(ofText: "<Upload>"), let close = rest[open.upperBound...].firstRange(ofText: "</Upload>") {
            let element = String(rest[open.upperBound..<close.lowerBound])
            guard let key = XMLText.first("Key", in: element), let uploadID = XMLText.first("UploadId", in: element) else { return nil }
            uploads.append(AbandonedUpload(key: key, uploadID: uploadID))
            rest = rest[close.upperBound...]
        }
        self.uploads = uploads
        if XMLText.first("IsTruncated", in: text) == "true" {
            guard let keyMarker = XMLText.first("NextKeyMarker", in: text), !keyMarker.isEmpty else { return nil }
            next = (keyMarker, XMLText.first("NextUploadIdMarker", in: text).flatMap { $0.isEmpty ? nil : $0 })
        } else {
            next = nil
        }
    }

    public static func == (lhs: S3UploadListing, rhs: S3UploadListing) -> Bool {
        lhs.uploads == rhs.uploads && lhs.next?.keyMarker == rhs.next?.keyMarker && lhs.next?.uploadIDMarker == rhs.next?.uploadIDMarker
    }
}
