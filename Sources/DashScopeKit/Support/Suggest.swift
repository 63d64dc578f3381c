/// "Did you mean" suggestions by edit distance.
public enum Suggest {
    /// The closest candidate within a small edit distance, if any.
    public static func closest(_ word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        let limit = max(1, min(3, word.count / 3 + 1))
        if best.1 <= limit { return best.0 }
        return candidates.first(where: { $0.hasPrefix(word) && word.count >= 3 })
    }

    /// `. Did you mean 'x'?` or the empty string.
    public static func phrase(_ word: String, among candidates: [String]) -> String {
        closest(word, among: candidates).map { ". Did you mean '\($0)'?" } ?? ""
    }

    /// Edit distance counting an insertion, a deletion, a substitution or a swap of two adjacent characters as one edit
    /// (optimal string alignment): `qwen-plsu` is one edit from `qwen-plus`, like `qwen-plu`.
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var before = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var row = previous
        for i in 1...a.count {
            row[0] = i
            for j in 1...b.count {
                row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { row[j] = min(row[j], before[j - 2] + 1) }
            }
            (before, previous) = (previous, row)
        }
        return row[b.count]
    }
}
