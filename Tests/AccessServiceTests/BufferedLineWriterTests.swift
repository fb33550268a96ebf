import AccessService
import Foundation
import Testing

@Suite("Buffered log lines")
struct BufferedLineWriterTests {
    /// Everything `body` writes through a writer on a pipe, read by a thread while it writes (a pipe holds 64 KiB).
    func written(_ body: (BufferedLineWriter) async -> Void) async throws -> String {
        let pipe = Pipe()
        let writer = BufferedLineWriter(fileDescriptor: pipe.fileHandleForWriting.fileDescriptor)
        let collected = ReadAll(pipe.fileHandleForReading)
        await body(writer)
        writer.stop()
        try pipe.fileHandleForWriting.close()
        return String(decoding: collected.wait(), as: UTF8.self)
    }

    @Test("lines from many tasks arrive whole, each task's in its order, none lost; stop() writes what is pending")
    func wholeAndOrdered() async throws {
        let text = try await written { writer in
            await withTaskGroup(of: Void.self) { group in
                for task in 0..<8 {
                    group.addTask {
                        for index in 0..<2_000 { writer.write(Data("task \(task) line \(index) \(String(repeating: "x", count: index % 300))\n".utf8)) }
                    }
                }
            }
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 16_000)
        var next = [Int](repeating: 0, count: 8)
        for line in lines {
            let fields = line.split(separator: " ")
            guard fields.count >= 4, let task = Int(fields[1]), let index = Int(fields[3]) else {
                Issue.record("a broken line: \(line.prefix(80))")
                return
            }
            #expect(index == next[task], "task \(task): line \(index) after \(next[task] - 1)")
            #expect(fields.count == 4 + (index % 300 == 0 ? 0 : 1))
            next[task] = index + 1
        }
        #expect(next == [Int](repeating: 2_000, count: 8))
    }

    @Test("more than the capacity at once (a slow reader): the callers wait for the descriptor, nothing is dropped")
    func backPressure() async throws {
        let line = Data((String(repeating: "y", count: 1023) + "\n").utf8)
        let count = (BufferedLineWriter.capacity / line.count) * 3
        let text = try await written { writer in
            for _ in 0..<count { writer.write(line) }
        }
        #expect(text.utf8.count == count * line.count)
        #expect(text.split(separator: "\n").allSatisfy { $0.utf8.count == 1023 })
    }

    @Test("a line is written within the flush interval without flush()")
    func writtenSoon() async throws {
        let pipe = Pipe()
        let writer = BufferedLineWriter(fileDescriptor: pipe.fileHandleForWriting.fileDescriptor)
        writer.write(Data("hello\n".utf8))
        // availableData blocks until the writer thread has written: the test fails by hanging if it never does.
        let data = pipe.fileHandleForReading.availableData
        writer.stop()
        #expect(String(decoding: data, as: UTF8.self) == "hello\n")
    }
}

/// Reads a file handle to its end on a thread of its own.
private final class ReadAll: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }.start()
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
