/// `--color auto|always|never`: the one decision on whether stderr is coloured.
public enum ColorChoice: String, Sendable, CaseIterable {
    /// Colour only on a terminal, with `TERM` not `dumb` and `NO_COLOR` unset or empty (the default).
    case auto
    /// Colour even in a pipe or a file, whatever `NO_COLOR` and `TERM` say (an explicit flag wins).
    case always
    /// Never colour.
    case never

    /// Whether stderr is coloured under this choice.
    public func decide(stderrIsTerminal: Bool, environment: [String: String]) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            return stderrIsTerminal && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
        }
    }

    /// The choice written on a command line that did not parse (so its error is printed as asked): the last
    /// `--color WORD` or `--color=WORD` before `--`, else auto.
    public static func scan(_ argv: [String]) -> ColorChoice {
        var choice = ColorChoice.auto
        let options = argv.prefix(while: { $0 != "--" })
        for (index, token) in options.enumerated() {
            let word = token.hasPrefix("--color=") ? String(token.dropFirst(8))
                : token == "--color" && index + 1 < options.count ? options[options.startIndex + index + 1] : nil
            if let word, let parsed = ColorChoice(rawValue: word.lowercased()) { choice = parsed }
        }
        return choice
    }
}
