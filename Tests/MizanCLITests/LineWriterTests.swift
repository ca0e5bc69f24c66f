import Foundation
@testable import MizanCLI
import Testing

/// `mizan dev`'s request log: batched, never written on the caller's thread, bounded when the
/// output is not being read.
@Suite struct LineWriterTests {
    /// A temporary file's descriptor and a way to read what reached it.
    private func withFile(_ body: (Int32, () -> String) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("line-writer-\(UUID().uuidString)").path
        let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        try #require(fd >= 0)
        defer {
            close(fd)
            unlink(path)
        }
        try body(fd) { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
    }

    @Test func linesArriveInOrderOnFlushAndOnTheirOwn() throws {
        try withFile { fd, contents in
            // An interval far longer than the test: only flush() writes here.
            let writer = LineWriter(fd: fd, intervalMicroseconds: 60_000_000)
            writer.line("one")
            writer.line("two")
            #expect(contents() == "")
            writer.flush()
            #expect(contents() == "one\ntwo\n")

            // With a short interval the writer thread writes by itself.
            let soon = LineWriter(fd: fd, intervalMicroseconds: 10_000)
            soon.line("three")
            let deadline = Date().addingTimeInterval(5)
            while !contents().hasSuffix("three\n"), Date() < deadline { usleep(10_000) }
            #expect(contents() == "one\ntwo\nthree\n")
        }
    }

    @Test func linesBeyondTheBoundAreDroppedAndCounted() throws {
        try withFile { fd, contents in
            let writer = LineWriter(fd: fd, intervalMicroseconds: 60_000_000, wakeBytes: 1 << 20, maxPendingBytes: 10)
            writer.line("12345")  // 6 bytes with its newline
            writer.line("67890")  // would make 12: dropped
            writer.line("abc")  // 4 more: 10, fits
            writer.flush()
            #expect(contents() == "12345\nabc\nmizan dev: 1 request log lines dropped: the output was not being read\n")
            writer.line("after")
            writer.flush()
            #expect(contents().hasSuffix("read\nafter\n"))
        }
    }
}
