import Foundation
import MizanCacheAdmin
import MizanCore
import MizanProtocol
import MizanSchema
import MizanStores

/// How `mizan cache` prints entries: an aligned table for people, tab-separated lines for pipes,
/// JSON for scripts. Pure functions of the entries and `now`, so the output is checked as golden
/// text.
struct EntryListing {
    enum Format { case table, plain, json }
    var format: Format
    /// Milliseconds since the epoch; relative times are measured from it.
    var now: Int64

    // Fixed column widths, so rows can be printed as pages arrive.
    private static let columns: [(title: String, width: Int)] = [
        ("KEY", 12), ("CLIENT", 24), ("PARAMS", 28), ("CONTEXT", 7), ("STATUS", 6), ("SIZE", 8), ("AGE", 6), ("FRESH", 10),
    ]

    func header() -> String {
        switch format {
        case .table: Self.columns.map { Self.align($0.title, $0) }.joined(separator: "  ").trimmedRight + "\n"
        case .plain: ["key", "client", "params", "context", "caller", "status", "size", "created", "expires", "stale_until", "tags"].joined(separator: "\t") + "\n"
        case .json: "["
        }
    }

    func row(_ m: EntryMetadata, first: Bool) -> String {
        switch format {
        case .table:
            let cells = [
                String(m.key.hex.prefix(12)), m.client.truncated(24), m.params.text.truncated(28), m.context.rawValue,
                String(m.status), Self.size(m.size), Self.duration(now - m.created), freshness(m),
            ]
            let line = zip(cells, Self.columns).map { Self.align($0, $1) }
            return line.joined(separator: "  ").trimmedRight + (m.tags.isEmpty ? "" : "  [\(m.tags.joined(separator: ","))]") + "\n"
        case .plain:
            let cells = [
                m.key.hex, m.client, m.params.text, m.context.rawValue, m.caller?.hex ?? "-", String(m.status), String(m.size),
                Self.iso(m.created), Self.iso(m.expires), Self.iso(m.staleUntil), m.tags.isEmpty ? "-" : m.tags.joined(separator: ","),
            ]
            return cells.map { $0.replacingOccurrences(of: "\t", with: " ") }.joined(separator: "\t") + "\n"
        case .json:
            return (first ? "\n  " : ",\n  ") + record(m)
        }
    }

    /// Numbers right-aligned (title included), text left-aligned.
    private static func align(_ text: String, _ column: (title: String, width: Int)) -> String {
        ["STATUS", "SIZE", "AGE"].contains(column.title) ? text.leftPadded(column.width) : text.padded(column.width)
    }

    func footer() -> String { format == .json ? "\n]\n" : "" }

    /// The metadata record, compact, as the stores keep it.
    func record(_ m: EntryMetadata) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? encoder.encode(m)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// `fresh 42s`, `stale 3s` (servable while refreshing), or `gone`.
    func freshness(_ m: EntryMetadata) -> String {
        if m.isFresh(at: now) { return "fresh \(Self.duration(m.expires - now))" }
        if m.isServableStale(at: now) { return "stale \(Self.duration(m.staleUntil - now))" }
        return "gone"
    }

    /// `mizan cache show`: everything about one entry, the body's start as text.
    func detail(_ entry: StoredEntry) -> String {
        let m = entry.metadata
        var lines = [
            "key          \(m.key.hex)",
            "client       \(m.client)",
            "params       \(m.params.text)",
            "context      \(m.context.rawValue)\(m.caller.map { " (caller \($0.hex.prefix(12))…)" } ?? "")",
            "status       \(m.status)",
            "content-type \(m.contentType ?? "-")",
            "etag         \(m.etag)",
            "size         \(Self.size(m.size)) (\(m.size) bytes)",
            "created      \(Self.iso(m.created)) (\(Self.duration(now - m.created)) ago)",
            "expires      \(Self.iso(m.expires)) (\(freshness(m)))",
            "stale until  \(Self.iso(m.staleUntil))",
            "tags         \(m.tags.isEmpty ? "-" : m.tags.joined(separator: ", "))",
            "deps         \(m.deps.isEmpty ? "-" : m.deps.map { "\($0.client) \($0.params.text)" }.joined(separator: ", "))",
        ]
        lines.append("headers")
        for header in m.headers { lines.append("  \(header.name): \(header.value)") }
        if m.headers.isEmpty { lines.append("  -") }
        lines.append("body")
        lines.append(Self.preview(entry.body, contentType: m.contentType))
        return lines.joined(separator: "\n")
    }

    /// The first 1 KiB as text when it is text, else a note; `--body` prints it whole.
    static func preview(_ body: [UInt8], contentType: String?) -> String {
        if body.isEmpty { return "  (empty)" }
        let head = Array(body.prefix(1024))
        guard let text = String(validating: head, as: UTF8.self) ?? String(validating: head.dropLast(3), as: UTF8.self),
              !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" && $0 != "\r" }) else {
            return "  (\(body.count) bytes of \(contentType ?? "binary data"); --body prints it)"
        }
        let shown = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(20).map { "  \($0)" }.joined(separator: "\n")
        return body.count > 1024 ? shown + "\n  … (\(body.count - 1024) more bytes; --body prints it all)" : shown
    }

    static func statsText(_ stats: StoreStats, _ server: ServerStats?, store: String) -> String {
        var lines = [
            "store      \(store)",
            "entries    \(stats.entries)",
            "bytes      \(size(stats.bytes)) (\(stats.bytes))",
        ]
        if stats.evictions > 0 { lines.append("evictions  \(stats.evictions)") }
        if let server {
            let ratio = server.hitRatio.map { String(format: "%.1f%%", $0 * 100) } ?? "-"
            lines.append("hits       \(server.hits ?? 0) (\(server.stale ?? 0) stale)   misses \(server.misses ?? 0)   hit ratio \(ratio)")
            lines.append("coalesced  \(server.coalesced ?? 0)   bypassed \(server.bypassed ?? 0)   stored \(server.stored ?? 0)")
            lines.append("purges     \(server.purges ?? 0) (\(server.purgedEntries ?? 0) entries)")
            lines.append("upstream   \(server.upstreamRequests ?? 0) requests, \(server.upstreamErrors ?? 0) errors")
        }
        if !stats.perClient.isEmpty {
            lines.append("per client")
            let width = stats.perClient.keys.map(\.count).max() ?? 0
            for (client, count) in stats.perClient.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                lines.append("  \(client.padded(width))  \(count)")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func statsJSON(_ stats: StoreStats, _ server: ServerStats?) -> String {
        var members: [(String, JSONOutput)] = [
            ("entries", .int(stats.entries)), ("bytes", .int(stats.bytes)), ("evictions", .int(stats.evictions)),
            ("per_client", .object(stats.perClient.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
        ]
        if let server {
            let counters: [(String, Int?)] = [
                ("requests", server.requests), ("hits", server.hits), ("stale", server.stale), ("misses", server.misses),
                ("coalesced", server.coalesced), ("bypassed", server.bypassed), ("stored", server.stored), ("purges", server.purges),
                ("purged_entries", server.purgedEntries), ("upstream_requests", server.upstreamRequests), ("upstream_errors", server.upstreamErrors),
            ]
            members += counters.map { ($0.0, $0.1.map(JSONOutput.int) ?? .null) }
            members.append(("hit_ratio", server.hitRatio.map { .raw(String(format: "%.4f", $0)) } ?? .null))
        }
        return JSONOutput.object(members).rendered().trimmedRight
    }

    /// 512 B, 1.5 KiB, 12 MiB.
    static func size(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return value < 10 ? String(format: "%.1f %@", value, units[unit]) : "\(Int(value.rounded())) \(units[unit])"
    }

    /// 0s, 42s, 5m, 3h, 2d (largest unit, rounded down); negative as 0s.
    static func duration(_ milliseconds: Int64) -> String {
        let seconds = max(0, milliseconds / 1000)
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m" }
        if seconds < 86400 { return "\(seconds / 3600)h" }
        return "\(seconds / 86400)d"
    }

    /// One formatter for every row: making one per date was most of a million-row listing's time.
    nonisolated(unsafe) private static let isoFormatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()

    static func iso(_ milliseconds: Int64) -> String {
        isoFormatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}

extension String {
    func padded(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
    func truncated(_ width: Int) -> String { count <= width ? self : String(prefix(width - 1)) + "…" }
    var trimmedRight: String {
        var s = Substring(self)
        while let last = s.last, last == " " || last == "\n" { s.removeLast() }
        return String(s)
    }
}
