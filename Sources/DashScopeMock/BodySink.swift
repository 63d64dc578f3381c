#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DashScopeKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Collects a request body in memory until it passes a limit, then in a temporary file that is deleted with it.
final class BodySink {
    private let memoryLimit: Int
    private var memory = Data()
    private var spoolPath: String?
    private var descriptor: Int32 = -1
    /// How many bytes have arrived.
    private(set) var length = 0

    /// Creates an empty sink that keeps up to `memoryLimit` bytes in memory.
    init(memoryLimit: Int) {
        self.memoryLimit = memoryLimit
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
        }
        if let spoolPath {
            unlink(spoolPath)
        }
    }

    /// Adds bytes at the end of the body, moving what came before to a file when the limit is passed.
    func append(_ bytes: ArraySlice<UInt8>) throws(HTTPRequestError) {
        length += bytes.count
        if descriptor < 0, length <= memoryLimit {
            memory.append(contentsOf: bytes)
            return
        }
        if descriptor < 0 {
            try openSpool()
            try store(memory)
            memory = Data()
        }
        try store(Data(bytes))
    }

    /// The body: in memory, or (when it passed the limit) the spooled file.
    func finish() -> (Data, SpooledBody?) {
        guard let path = spoolPath else {
            return (memory, nil)
        }
        close(descriptor)
        descriptor = -1
        spoolPath = nil
        return (Data(), SpooledBody(path: path, length: length))
    }

    private func openSpool() throws(HTTPRequestError) {
        var template = Array((PathText.temporaryDirectory() + "/dashscope-mock-body-XXXXXX").utf8CString)
        let opened = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard opened >= 0 else {
            throw .spoolFailed("cannot create a temporary file: \(String(cString: strerror(errno)))")
        }
        descriptor = opened
        spoolPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    private func store(_ data: Data) throws(HTTPRequestError) {
        let written = data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let count = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if count < 0, errno == EINTR {
                    continue
                }
                guard count > 0 else {
                    return false
                }
                offset += count
            }
            return true
        }
        guard written else {
            let reason = String(cString: strerror(errno))
            throw .spoolFailed("cannot write the request body to \(spoolPath ?? "a file"): \(reason)")
        }
    }
}
