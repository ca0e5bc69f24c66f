import MizanCore

/// Moving through the bytes of the document while keeping the line and column.
extension TOMLParser {
    var atEnd: Bool { index >= bytes.count }

    var location: SourceLocation {
        SourceLocation(file: file, line: line, column: index - lineStart + 1)
    }

    func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    var isNewline: Bool {
        peek() == UInt8(ascii: "\n") || peek() == UInt8(ascii: "\r")
    }

    mutating func advance() {
        if bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        index += 1
    }

    mutating func skipSpaces() {
        while peek() == UInt8(ascii: " ") || peek() == UInt8(ascii: "\t") { advance() }
    }

    mutating func skipComment() {
        guard peek() == UInt8(ascii: "#") else { return }
        while let byte = peek(), byte != UInt8(ascii: "\n"),
            !(byte == UInt8(ascii: "\r") && peek(1) == UInt8(ascii: "\n"))
        {
            advance()
        }
    }

    mutating func consumeNewline() -> Bool {
        if peek() == UInt8(ascii: "\n") {
            advance()
            return true
        }
        if peek() == UInt8(ascii: "\r"), peek(1) == UInt8(ascii: "\n") {
            advance()
            advance()
            return true
        }
        return false
    }

    /// Spaces, comments and newlines, as allowed between the elements of an array.
    mutating func skipBlankLines() {
        repeat {
            skipSpaces()
            skipComment()
        } while consumeNewline()
    }

    mutating func expectLineEnd() throws {
        skipSpaces()
        skipComment()
        guard atEnd || consumeNewline() else {
            throw syntax("expected the end of the line, found \(found()); put each key on its own line")
        }
    }

    /// What is at the current position, for "found …" in messages.
    func found() -> String {
        guard let byte = peek() else { return "the end of the file" }
        if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { return "the end of the line" }
        let text = String(decoding: bytes[index..<min(index + 4, bytes.count)], as: UTF8.self)
        return "'\(text.first.map(String.init) ?? "")'"
    }

    func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
