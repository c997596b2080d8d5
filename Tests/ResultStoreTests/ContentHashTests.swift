import Hashing
import Testing

/// The fingerprints against FIPS 180-4's SHA-256 examples, however the bytes arrive:
/// text, contiguous buffers, sequences without contiguous storage, split updates.
@Suite("SHA-256 content hashes")
struct ContentHashTests {
  @Test(
    "FIPS 180-4 examples (and sha256sum) give the published digests",
    arguments: [
      ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
      ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
      (
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
      ),
    ])
  func examples(text: String, digest: String) {
    #expect(ContentHash.hex(text) == digest)
  }

  @Test("a million `a`s, in one buffer or as a lazy sequence")
  func millionAs() {
    let digest = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
    var whole = ContentHash()
    whole.update([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
    #expect(whole.finalizeHex() == digest)
    var byByte = ContentHash()
    byByte.update((0..<1_000_000).lazy.map { _ in UInt8(ascii: "a") })
    #expect(byByte.finalizeHex() == digest)
  }

  @Test("any split of the input into updates gives the digest of the whole", arguments: [1, 2, 3])
  func splits(seed: Int) {
    let bytes = (0..<5_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed) }
    var whole = ContentHash()
    whole.update(bytes)
    let expected = whole.finalizeHex()
    var hasher = ContentHash()
    var start = 0
    var step = seed
    while start < bytes.count {
      step = (step &* 1_103_515_245 &+ 12_345) & 0x7FFF
      let end = min(bytes.count, start + step % 150)
      // Contiguous slices and a non-contiguous sequence, in turn.
      if step % 3 == 0 {
        hasher.update(bytes[start..<end].lazy.map { $0 })
      } else {
        hasher.update(bytes[start..<end])
      }
      start = end
    }
    #expect(hasher.finalizeHex() == expected)
  }
}
