/// Cuts text that is too long for one speech call into pieces that fit, at the most natural place available: after a
/// sentence (`。！？；` always, `.!?;` before a space or the end, a line break), else after a comma (`，、,：:`),
/// else at a space, else anywhere between two characters (a character is never cut in half).
public enum SentenceSplitter {
    /// How good a place to cut is; the best one within the limit wins, the last of its kind.
    private enum Boundary: Int, Comparable {
        case none, space, comma, sentence

        static func < (a: Boundary, b: Boundary) -> Bool { a.rawValue < b.rawValue }
    }

    private static let sentenceEnds: Set<Character> = ["。", "！", "？", "；", "\n", "\r\n", "…"]
    private static let asciiSentenceEnds: Set<Character> = [".", "!", "?", ";"]
    private static let commas: Set<Character> = ["，", "、", ",", "：", ":"]
    /// Closing marks that belong to the sentence before them (`他说：“好。”`): a cut after `。` moves past them.
    private static let closers: Set<Character> = ["”", "’", "」", "』", "）", ")", "\"", "'", "》", "】"]

    /// The pieces of `text`, each at most `limit` long as `Speech.length` counts, in order, trimmed, none empty.
    /// Joined, they give back the text minus the whitespace at the cuts.
    public static func split(_ text: String, limit: Int) -> [String] {
        let characters = Array(text)
        var pieces: [String] = []
        var start = 0
        while start < characters.count {
            let end = cut(characters, from: start, limit: max(limit, 1))
            let piece = String(characters[start..<end]).trimmingCharacters(in: .whitespacesAndNewlines)
            if !piece.isEmpty { pieces.append(piece) }
            start = end
        }
        return pieces
    }

    /// Where the piece starting at `start` ends (exclusive): the end of the text if the rest fits, else after the best
    /// boundary within the limit, else the longest prefix that fits (at least one character, so the cut always advances).
    private static func cut(_ characters: [Character], from start: Int, limit: Int) -> Int {
        var used = 0
        var best = (boundary: Boundary.none, end: start + 1)
        var index = start
        while index < characters.count {
            let size = Speech.length(String(characters[index]))
            guard used + size <= limit else { break }
            used += size
            index += 1
            let boundary = kind(after: index - 1, in: characters)
            if boundary != .none, boundary >= best.boundary { best = (boundary, index) }
        }
        if index == characters.count { return index }
        return best.boundary == .none ? max(index, start + 1) : best.end
    }

    /// What kind of boundary follows the character at `position`.
    private static func kind(after position: Int, in characters: [Character]) -> Boundary {
        let character = characters[position]
        let next = position + 1 < characters.count ? characters[position + 1] : nil
        if sentenceEnds.contains(character) { return next.map { closers.contains($0) } == true ? .none : .sentence }
        if asciiSentenceEnds.contains(character) { return next.map { $0.isWhitespace } ?? true ? .sentence : .none }
        if closers.contains(character), position > 0, sentenceEnds.contains(characters[position - 1]) || asciiSentenceEnds.contains(characters[position - 1]) {
            return next.map { closers.contains($0) } == true ? .none : .sentence
        }
        if commas.contains(character) { return .comma }
        return character.isWhitespace ? .space : .none
    }
}
