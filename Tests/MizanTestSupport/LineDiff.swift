/// Helpers shared by the test targets.

/// A readable line diff for golden-file failures: the first differing lines with context.
public func lineDiff(expected: String, actual: String, context: Int = 3, limit: Int = 40) -> String {
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    guard let first = zip(e, a).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset ?? (e.count != a.count ? min(e.count, a.count) : nil) else {
        return "(no difference)"
    }
    var out: [String] = ["first difference at line \(first + 1):"]
    let start = max(0, first - context)
    for i in start..<min(max(e.count, a.count), first + limit) {
        let el = i < e.count ? String(e[i]) : nil
        let al = i < a.count ? String(a[i]) : nil
        if el == al { out.append("  \(i + 1)  \(el ?? "")") } else {
            if let el { out.append("- \(i + 1)  \(el)") }
            if let al { out.append("+ \(i + 1)  \(al)") }
        }
    }
    return out.joined(separator: "\n")
}
