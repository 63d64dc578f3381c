#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Deterministic placeholder pictures, encoded as uncompressed 8-bit RGB PNG files.
enum PNG {
    /// Width and height of every mock picture.
    static let side = 64

    /// The picture for image `index` of `id`: a diagonal blend of two colours derived from both, the same on every call.
    static func picture(id: String, index: Int) -> Data {
        let hash = fnv1a(Array("\(id)/\(index)".utf8))
        let from = (Int(hash & 0xFF), Int((hash >> 8) & 0xFF), Int((hash >> 16) & 0xFF))
        let to = (Int((hash >> 24) & 0xFF), Int((hash >> 32) & 0xFF), Int((hash >> 40) & 0xFF))
        let span = 2 * (side - 1)
        var scanlines: [UInt8] = []
        scanlines.reserveCapacity(side * (1 + 3 * side))
        for y in 0..<side {
            scanlines.append(0)
            for x in 0..<side {
                let weight = x + y
                scanlines.append(UInt8((from.0 * (span - weight) + to.0 * weight) / span))
                scanlines.append(UInt8((from.1 * (span - weight) + to.1 * weight) / span))
                scanlines.append(UInt8((from.2 * (span - weight) + to.2 * weight) / span))
            }
        }
        return encode(width: side, height: side, scanlines: scanlines)
    }

    /// Encodes filtered RGB scanlines (each row starts with its filter byte) as a PNG with zlib stored blocks.
    static func encode(width: Int, height: Int, scanlines: [UInt8]) -> Data {
        var header: [UInt8] = []
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        header += [8, 2, 0, 0, 0]
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        file += chunk("IHDR", header)
        file += chunk("IDAT", zlibStored(scanlines))
        file += chunk("IEND", [])
        return Data(file)
    }

    /// The CRC-32 (ISO-HDLC) that PNG chunks carry.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }

    /// The Adler-32 checksum that ends a zlib stream.
    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var low: UInt32 = 1
        var high: UInt32 = 0
        for byte in bytes {
            low = (low + UInt32(byte)) % 65521
            high = (high + low) % 65521
        }
        return high << 16 | low
    }

    // MARK: - Encoding pieces

    private static let crcTable: [UInt32] = (0..<256).map { entry in
        var value = UInt32(entry)
        for _ in 0..<8 {
            value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1
        }
        return value
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendBigEndian(UInt32(data.count))
        let typed = Array(type.utf8) + data
        bytes += typed
        bytes.appendBigEndian(crc32(typed))
        return bytes
    }

    private static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var stream: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(65535, data.count - offset)
            let isLast = offset + length == data.count
            stream.append(isLast ? 1 : 0)
            stream += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            stream += data[offset..<(offset + length)]
            offset += length
        } while offset < data.count
        stream.appendBigEndian(adler32(data))
        return stream
    }

    /// The 64-bit FNV-1a hash, which seeds every deterministic file.
    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}

extension [UInt8] {
    /// Appends a 32-bit number, most significant byte first.
    mutating func appendBigEndian(_ value: UInt32) {
        append(contentsOf: [24, 16, 8, 0].map { UInt8((value >> $0) & 0xFF) })
    }
}
