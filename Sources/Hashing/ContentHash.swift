import Crypto

/// The SHA-256 digest, in lowercase hex, of a scenario file, a sweep point or a result
/// table: the fingerprints that `runs.scenario_digest`, sweeps and `compare-builds.sh`
/// record and compare.
///
/// The hashing is swift-crypto's `SHA256` (FIPS 180-4; BoringSSL on Linux), already in
/// the build for the web server. This type only feeds it bytes and text (as UTF-8) and
/// spells the digest the way `sha256sum` does.
public struct ContentHash {
  private var hasher = SHA256()

  public init() {}

  public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
    let contiguous: Void? = bytes.withContiguousStorageIfAvailable {
      hasher.update(bufferPointer: UnsafeRawBufferPointer($0))
    }
    if contiguous == nil { hasher.update(data: Array(bytes)) }
  }

  /// Feeds `text`'s UTF-8 bytes.
  public mutating func update(_ text: String) {
    var text = text
    text.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
  }

  /// The digest of everything fed so far, as 64 lowercase hex digits.
  public func finalizeHex() -> String {
    let hexDigits = Array("0123456789abcdef".utf8)
    var hex: [UInt8] = []
    hex.reserveCapacity(2 * SHA256.byteCount)
    for byte in hasher.finalize() {
      hex.append(hexDigits[Int(byte >> 4)])
      hex.append(hexDigits[Int(byte & 0x0F)])
    }
    return String(decoding: hex, as: UTF8.self)
  }

  /// The digest of `text`'s UTF-8 bytes.
  public static func hex(_ text: String) -> String {
    var hash = ContentHash()
    hash.update(text)
    return hash.finalizeHex()
  }
}
