// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "dashscope",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dashscope", targets: ["dashscope"]),
        .executable(name: "dashscope-mock", targets: ["dashscope-mock"]),
        .library(name: "DashScopeKit", targets: ["DashScopeKit"]),
        .library(name: "DashScopeMock", targets: ["DashScopeMock"]),
    ],
    targets: [
        .target(name: "CCurl"),
        .target(name: "DashScopeKit", dependencies: [.target(name: "CCurl", condition: .when(platforms: [.linux]))]),
        .target(name: "DashScopeMock", dependencies: ["DashScopeKit"]),
        .target(name: "DashScopeCLI", dependencies: ["DashScopeKit", "DashScopeMock"]),
        .executableTarget(name: "dashscope", dependencies: ["DashScopeCLI"]),
        .executableTarget(name: "dashscope-mock", dependencies: ["DashScopeMock"]),
        .testTarget(name: "DashScopeKitTests", dependencies: ["DashScopeKit"]),
        .testTarget(name: "DashScopeCLITests", dependencies: ["DashScopeCLI", "DashScopeKit", "DashScopeMock"]),
        .testTarget(name: "DashScopeMockTests", dependencies: ["DashScopeMock"]),
        .testTarget(name: "EndToEndTests", dependencies: ["DashScopeMock"]),
    ]
)
