/// Work over many items with a bound on how much runs at once.
enum Concurrently {
    /// `body` of each index in `0..<count`, at most `width` running at a time, the results in index order; the first
    /// error thrown cancels the rest and is rethrown.
    static func map<Value: Sendable>(_ count: Int, width: Int,
                                     _ body: @escaping @Sendable (Int) async throws -> Value) async throws -> [Value] {
        try await withThrowingTaskGroup(of: (Int, Value).self) { group in
            var results = [Value?](repeating: nil, count: count)
            var next = 0
            func start() {
                let index = next
                next += 1
                group.addTask { (index, try await body(index)) }
            }
            while next < min(max(1, width), count) { start() }
            while let (index, value) = try await group.next() {
                results[index] = value
                if next < count { start() }
            }
            return results.map { $0! }
        }
    }
}
