import Crypto
import Foundation
import Testing
@testable import AccessStore

@Suite("constantTimeEquals")
struct ConstantTimeTests {
    static let digest: [UInt8] = Array(SHA256.hash(data: Array("aat-secret".utf8)))

    @Test("equal bytes → true, whatever the collection types")
    func equal() {
        #expect(constantTimeEquals(Self.digest, Self.digest))
        #expect(constantTimeEquals(Data(Self.digest), Self.digest))
        #expect(constantTimeEquals(SHA256.hash(data: Array("aat-secret".utf8)), Data(Self.digest)))
        #expect(constantTimeEquals([UInt8](), Data()))
        #expect(constantTimeEquals([0x00], [0x00]))
    }

    @Test("one differing bit at any of the 32 positions → false", arguments: 0..<32)
    func differsAt(position: Int) {
        var other = Self.digest
        other[position] ^= 0x80
        #expect(!constantTimeEquals(Self.digest, other))
        other[position] ^= 0x81
        #expect(!constantTimeEquals(Self.digest, other))
    }

    @Test("different lengths → false, even when one is a prefix of the other or padded with zeros")
    func differentLengths() {
        #expect(!constantTimeEquals(Self.digest, Self.digest.dropLast()))
        #expect(!constantTimeEquals(Self.digest.prefix(1), Self.digest))
        #expect(!constantTimeEquals(Self.digest, Self.digest + [0x00]))
        #expect(!constantTimeEquals([UInt8](), [0x00]))
        #expect(!constantTimeEquals([0x00], [UInt8]()))
        #expect(!constantTimeEquals([UInt8](), Self.digest))
    }
}
