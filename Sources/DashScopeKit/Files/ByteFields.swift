/// Unsigned integers read from a file header's bytes (the caller checks the bytes are there).
extension Array where Element == UInt8 {
    /// The `width` bytes at `offset` as an unsigned integer, most significant byte first.
    func bigEndian(at offset: Int, width: Int) -> UInt64 {
        self[offset..<(offset + width)].reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The `width` bytes at `offset` as an unsigned integer, least significant byte first.
    func littleEndian(at offset: Int, width: Int) -> UInt64 {
        self[offset..<(offset + width)].reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}
