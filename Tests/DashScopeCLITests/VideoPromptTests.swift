import Foundation
import XCTest
import DashScopeKit
@testable import DashScopeCLI

/// The prompt of the video commands on a terminal: `i2v` goes without one (the wire's prompt is optional there), the
/// others still ask for it; and `i2v`'s `-i` is one first frame.
final class VideoPromptTests: XCTestCase {
    private let key = "sk-unit-test-0000abcd"
    private let refuseEverything = FakeService { _ in FakeService.json(#"{"code":"Unexpected","message":"no request expected"}"#, status: 500) }

    func testImageToVideoNeedsNoPromptOnATerminal() async throws {
        let cli = try CLIHarness(self)
        let outcome = await cli.run(["i2v", "-i", "https://example.com/a.png", "--dry-run", "--api-key", key], transport: refuseEverything)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains(#""img_url": "https://example.com/a.png""#), outcome.stdout)
        XCTAssertFalse(outcome.stdout.contains(#""prompt""#), "no prompt given, none sent: \(outcome.stdout)")
        XCTAssertTrue(refuseEverything.requests.value.isEmpty)
    }

    func testTheOtherVideoCommandsAskForTheirPrompt() async throws {
        let cli = try CLIHarness(self)
        for argv in [["t2v"], ["r2v", "--video", "https://example.com/a.mp4"], ["i2v", "-i", "https://x/a.png", "--last-frame", "https://x/b.png"]] {
            let outcome = await cli.run(argv + ["--dry-run", "--api-key", key], transport: refuseEverything)
            XCTAssertEqual(outcome.status, 64, "\(argv): \(outcome.stderr)")
            XCTAssertTrue(outcome.stderr.contains("hint: "), outcome.stderr)
        }
        XCTAssertTrue(refuseEverything.requests.value.isEmpty)
    }

    func testTwoFirstFramesAreRefused() async throws {
        let cli = try CLIHarness(self)
        let outcome = await cli.run(["i2v", "p", "-i", "https://x/a.png", "-i", "https://x/b.png", "--dry-run", "--api-key", key],
                                    transport: refuseEverything)
        XCTAssertEqual(outcome.status, 64)
        XCTAssertTrue(outcome.stderr.contains("wan2.6-i2v takes 1 image (-i/--image); 2 were given"), outcome.stderr)
    }

    /// A video `--size` that is no size is refused with the model's own default size as the example, not an image size.
    func testAnUnreadableSizeHintsAtTheModelsOwnSize() async throws {
        let cli = try CLIHarness(self)
        for (argv, example) in [(["t2v", "x"], "1920*1080 (wan2.6-t2v's default)"), (["t2v", "x", "-m", "wanx2.1-t2v-turbo"], "1280*720"),
                                (["r2v", "x", "--video", "https://x/a.mp4"], "1920*1080")] {
            let outcome = await cli.run(argv + ["--size", "1", "--dry-run", "--api-key", key], transport: refuseEverything)
            XCTAssertEqual(outcome.status, 64, outcome.stderr)
            XCTAssertTrue(outcome.stderr.contains("e.g. \(example)"), "\(argv): \(outcome.stderr)")
            XCTAssertFalse(outcome.stderr.contains("1024x1024"), outcome.stderr)
        }
    }
}
