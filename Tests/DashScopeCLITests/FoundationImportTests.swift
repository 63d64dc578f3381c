import Foundation
import XCTest

/// Guards the static binary's size: everything under Sources/ builds on FoundationEssentials, and the full Foundation
/// (about 50 MB of ICU data in a static build) may only be imported where Apple needs it: inside `#if canImport(Darwin)`,
/// or in the `#else` of `#if canImport(FoundationEssentials)`.
final class FoundationImportTests: XCTestCase {
    /// One open `#if` while a file is read: the condition of its first branch, of the branch being read, and
    /// whether that branch is the `#else`.
    private struct Block {
        let first: String
        var current: String
        var inElse: Bool
    }

    /// The `import` lines of `text` that bring in Foundation, FoundationInternationalization or FoundationNetworking
    /// outside the allowed branches, as 1-based line numbers.
    static func unguardedImports(in text: String) -> [Int] {
        var blocks: [Block] = []
        var found: [Int] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let words = line.split(separator: " ", maxSplits: 1).map(String.init)
            switch words.first {
            case "#if":
                let condition = words.count > 1 ? words[1] : ""
                blocks.append(Block(first: condition, current: condition, inElse: false))
            case "#elseif":
                if !blocks.isEmpty { blocks[blocks.count - 1].current = words.count > 1 ? words[1] : "" }
            case "#else":
                if !blocks.isEmpty { blocks[blocks.count - 1].inElse = true }
            case "#endif":
                _ = blocks.popLast()
            default:
                guard importsFullFoundation(line) else { continue }
                let allowed = blocks.contains { block in
                    (!block.inElse && block.current.hasPrefix("canImport(Darwin)"))
                        || (block.inElse && block.first.hasPrefix("canImport(FoundationEssentials)"))
                }
                if !allowed { found.append(number + 1) }
            }
        }
        return found
    }

    /// Whether a line is an import of the full Foundation or one of its ICU or networking parts, in any spelling
    /// (`import Foundation`, `@preconcurrency import Foundation`, `import struct Foundation.Date`).
    private static func importsFullFoundation(_ line: String) -> Bool {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let at = words.firstIndex(of: "import"), at + 1 < words.count, words[..<at].allSatisfy({ $0.hasPrefix("@") })
        else { return false }
        let kinds: Set<Substring> = ["struct", "class", "enum", "protocol", "typealias", "func", "let", "var"]
        let module = words[kinds.contains(words[at + 1]) && at + 2 < words.count ? at + 2 : at + 1]
        let name = module.split(separator: ".").first ?? module
        return ["Foundation", "FoundationInternationalization", "FoundationNetworking"].contains(name)
    }

    func testNoSourceFileImportsFoundationUnguarded() throws {
        let sources = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources")
        let files = try XCTUnwrap(FileManager.default.enumerator(atPath: sources.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }.sorted()
        XCTAssertGreaterThan(files.count, 50, "the scan must see the sources")
        var offenders: [String] = []
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            offenders += Self.unguardedImports(in: text).map { "Sources/\(file):\($0)" }
        }
        XCTAssertEqual(offenders, [], """
            these files import Foundation (50 MB of ICU data in the static binary); write instead
            #if canImport(FoundationEssentials)
            import FoundationEssentials
            #else
            import Foundation
            #endif
            and use the helpers of Sources/DashScopeKit/Support (TextEssentials, PathText, CalendarText, Lock, Threads, DescriptorIO)
            """)
    }

    func testTheScanTellsGuardedFromUnguardedImports() {
        XCTAssertEqual(Self.unguardedImports(in: "import Foundation\nimport Dispatch"), [1])
        XCTAssertEqual(Self.unguardedImports(in: "  @preconcurrency import Foundation"), [1])
        XCTAssertEqual(Self.unguardedImports(in: "import struct Foundation.Date"), [1])
        XCTAssertEqual(Self.unguardedImports(in: "import FoundationNetworking\nimport FoundationInternationalization"), [1, 2])
        XCTAssertEqual(Self.unguardedImports(in: "import FoundationEssentials\n// import Foundation is not written here"), [])
        let pattern = "#if canImport(FoundationEssentials)\nimport FoundationEssentials\n#else\nimport Foundation\n#endif"
        XCTAssertEqual(Self.unguardedImports(in: pattern), [])
        XCTAssertEqual(Self.unguardedImports(in: "#if canImport(Darwin)\nimport Foundation\n#endif"), [])
        XCTAssertEqual(Self.unguardedImports(in: "#if os(Linux)\nimport CCurl\n" + pattern + "\n#endif"), [])
        // The wrong branch of either guard, or another guard, does not count.
        XCTAssertEqual(Self.unguardedImports(in: "#if canImport(FoundationEssentials)\nimport Foundation\n#endif"), [2])
        XCTAssertEqual(Self.unguardedImports(in: "#if canImport(Darwin)\nimport Darwin\n#else\nimport Foundation\n#endif"), [4])
        XCTAssertEqual(Self.unguardedImports(in: "#if os(Linux)\nimport Foundation\n#endif\nimport Foundation"), [2, 4])
        XCTAssertEqual(
            Self.unguardedImports(in: "#if canImport(Glibc)\nimport Glibc\n#elseif canImport(Darwin)\nimport Foundation\n#endif"), [])
    }
}
