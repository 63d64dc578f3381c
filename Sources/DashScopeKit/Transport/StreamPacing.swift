/// When a streamed answer's pieces are handed over, and how long its reader waits before looking for more.
///
/// A chat answer arrives as one small event per token, and waking up for each costs far more CPU than reading it
/// (a poll, a read and a write per token: 20,000 tokens cost ~0.8 s, nearly all of it in the kernel). So the pieces a
/// pass reads are gathered while more bytes wait on the socket and handed over together once it is drained (or
/// `handOverBytes` have gathered); and while the answer is dense (hand-overs under `window` apart, or several pieces at
/// once soon after the last), the reader waits `window` before polling again, so the next pass finds a batch instead
/// of one token. A piece is thus handed over at most `window` after it arrived (issue 9 allows 5 ms); a sparse answer
/// (a slow model, events seconds apart) is handed over at once and costs no extra wakeup.
struct StreamPacing: Sendable {
    /// The longest wait before polling again, in microseconds.
    static let window = 2_000
    /// Gathered bytes handed over even though more wait (a fast bulk answer still moves in pieces this size).
    static let handOverBytes = 65_536

    /// When the last hand-over happened (monotonic microseconds), if any.
    private var lastHandOver: Int?

    /// Creates the pacing of one answer.
    init() {}

    /// What to do at the end of a pass at `now` (monotonic microseconds): whether to hand over what has gathered
    /// (`pieces` pieces, `bytes` bytes, read since the last hand-over) now, and how long to wait before the next poll.
    /// `unread` is what waits on the socket still.
    mutating func endOfPass(pieces: Int, bytes: Int, unread: Int, now: Int) -> (handOver: Bool, wait: Int) {
        guard pieces > 0 else { return (false, 0) }
        guard unread == 0 || bytes >= Self.handOverBytes else { return (false, 0) }
        let gap = lastHandOver.map { now - $0 } ?? Int.max
        let dense = unread == 0 && (gap < Self.window || (pieces > 1 && gap < 3 * Self.window))
        lastHandOver = now
        return (true, dense ? Self.window : 0)
    }
}
