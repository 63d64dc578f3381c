import XCTest
@testable import DashScopeMock

final class MockCommandTests: XCTestCase {
    func testArgumentsParseIntoOptions() throws {
        XCTAssertEqual(try MockCommand(arguments: []), .serve(MockOptions()))
        let full = try MockCommand(arguments: [
            "--port", "8089", "--task-seconds", "0.5", "--key", "sk-mine", "--fault", "429@create*2", "--fault=fail",
        ])
        let faults = [Fault(.throttle, route: .create, count: 2), Fault(.fail)]
        XCTAssertEqual(full, .serve(MockOptions(port: 8089, taskSeconds: 0.5, acceptedKey: "sk-mine", faults: faults)))
        let inline = try MockCommand(arguments: ["--port=0", "--task-seconds=0"])
        XCTAssertEqual(inline, .serve(MockOptions(port: 0, taskSeconds: 0)))
        var listed = MockOptions(bindAddress: "192.0.2.7")
        listed.taskDurations = [4, 9, 17.5, 0]
        XCTAssertEqual(try MockCommand(arguments: ["--bind", "192.0.2.7", "--task-seconds=4,9,17.5,0"]), .serve(listed))
        XCTAssertEqual(listed.taskSeconds, 4)
        XCTAssertEqual(try MockCommand(arguments: ["--port", "1", "--help"]), .help)
        XCTAssertEqual(try MockCommand(arguments: ["-h"]), .help)
    }

    func testBadArgumentsAreOneLineErrors() {
        let cases: [([String], String)] = [
            (["--port", "70000"], "--port takes a port number"),
            (["--port"], "--port needs a value"),
            (["--task-seconds", "-1"], "--task-seconds"),
            (["--task-seconds", "soon"], "--task-seconds"),
            (["--task-seconds", "4,,9"], "comma list"),
            (["--task-seconds", "4,inf"], "comma list"),
            (["--task-seconds", "4,-1"], "comma list"),
            (["--bind", "localhost"], "--bind takes one local IPv4 address"),
            (["--bind", "0.0.0.0"], "--bind takes one local IPv4 address"),
            (["--bind", "::1"], "--bind takes one local IPv4 address"),
            (["--key", ""], "--key"),
            (["--fault", "boom"], "unknown kind"),
            (["--wat"], "unknown argument \"--wat\""),
            (["serve"], "unknown argument \"serve\""),
        ]
        for (arguments, fragment) in cases {
            XCTAssertThrowsError(try MockCommand(arguments: arguments), "\(arguments)") { error in
                let message = String(describing: error)
                XCTAssertTrue(message.contains(fragment), message)
                XCTAssertFalse(message.contains("\n"), message)
            }
        }
    }

    func testBannerTellsHowToUseTheServer() {
        let origin = "http://127.0.0.1:8089"
        let banner = MockCommand.banner(origin: origin, options: MockOptions(faults: [Fault(.drop, route: .create)]))
        XCTAssertEqual(banner, "dashscope-mock listening on \(origin) (tasks take 2s); try: DASHSCOPE_BASE_URL=\(origin) "
            + "DASHSCOPE_API_KEY=sk-test dashscope t2i \"a cat\"; faults: drop@create*1:1")
        let keyed = MockCommand.banner(origin: "o", options: MockOptions(taskSeconds: 0.5, acceptedKey: "sk-k"))
        XCTAssertTrue(keyed.contains("(tasks take 0.5s)") && keyed.contains("DASHSCOPE_API_KEY=sk-k"), keyed)
        var cycling = MockOptions()
        cycling.taskDurations = [4, 9.5]
        XCTAssertTrue(MockCommand.banner(origin: "o", options: cycling).contains("(tasks take 4,9.5s)"))
    }

    func testUsageListsEveryFaultKindAndRoute() {
        for kind in Fault.Kind.allCases {
            XCTAssertTrue(MockCommand.usage.contains(kind.rawValue), kind.rawValue)
        }
        XCTAssertTrue(MockCommand.usage.contains(MockStats.path))
        for route in Fault.Route.allCases {
            XCTAssertTrue(MockCommand.usage.contains(route.rawValue), route.rawValue)
        }
    }

    func testUsageListsEveryOption() {
        for option in ["--bind", "--port", "--task-seconds", "--key", "--fault", "--help"] {
            XCTAssertTrue(MockCommand.usage.contains(option), option)
        }
    }
}
