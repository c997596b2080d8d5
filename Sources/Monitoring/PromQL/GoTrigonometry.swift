/// Go's `math.Sin`, `math.Cos` and `math.Tan`, which PromQL's `sin`, `cos` and `tan` call.
///
/// Pure Go on amd64, which Prometheus 2.42 is built for: Cephes polynomials after a
/// three-part π/4 reduction, Payne–Hanek above 2²⁹. libm's results differ from them in the last bit for many arguments, and
/// PromQL's `sin`, `cos` and `tan` must match Prometheus bit for bit.
enum GoTrigonometry {
  static let sinCoefficients: [Double] = [
    1.58962301576546568060e-10, -2.50507477628578072866e-8, 2.75573136213857245213e-6,
    -1.98412698295895385996e-4, 8.33333333332211858878e-3, -1.66666666666666307295e-1,
  ]
  static let cosCoefficients: [Double] = [
    -1.13585365213876817300e-11, 2.08757008419747316778e-9, -2.75573141792967388112e-7,
    2.48015872888517045348e-5, -1.38888888888730564116e-3, 4.16666666666665929218e-2,
  ]
  static let tanP: [Double] = [-1.30936939181383777646e4, 1.15351664838587416140e6, -1.79565251976484877988e7]
  static let tanQ: [Double] = [
    1.0, 1.36812963470692954678e4, -1.32089234440210967447e6, 2.50083801823357915839e7, -5.38695755929454629881e7,
  ]
  static let pi4A = 7.85398125648498535156e-1
  static let pi4B = 3.77489470793079817668e-8
  static let pi4C = 2.69515142907905952645e-15
  static let reduceThreshold = Double(1 << 29)
  /// Go's constant `4 / Pi`, rounded once.
  static let fourOverPi = Double(bitPattern: 0x3FF4_5F30_6DC9_C883)

  /// Octant and reduced argument of a non-negative `x`.
  static func reduce(_ x: Double, mapZeros: Bool = true) -> (j: UInt64, z: Double) {
    if x >= reduceThreshold { return payneHanek(x) }
    var j = UInt64(x * fourOverPi)
    var y = Double(j)
    if j & 1 == 1 {
      j += 1
      y += 1
    }
    return (j, ((x - y * pi4A) - y * pi4B) - y * pi4C)
  }

  static func sinPolynomial(_ z: Double, _ zz: Double) -> Double {
    let s = sinCoefficients
    return z + z * zz * ((((((s[0] * zz) + s[1]) * zz + s[2]) * zz + s[3]) * zz + s[4]) * zz + s[5])
  }

  static func cosPolynomial(_ zz: Double) -> Double {
    let c = cosCoefficients
    return 1.0 - 0.5 * zz + zz * zz * ((((((c[0] * zz) + c[1]) * zz + c[2]) * zz + c[3]) * zz + c[4]) * zz + c[5])
  }

  static func sin(_ input: Double) -> Double {
    if input == 0 || input.isNaN { return input }
    if input.isInfinite { return .nan }
    var sign = input < 0
    var (j, z) = reduce(Swift.abs(input))
    j &= 7
    if j > 3 {
      sign.toggle()
      j -= 4
    }
    let zz = z * z
    let y = j == 1 || j == 2 ? cosPolynomial(zz) : sinPolynomial(z, zz)
    return sign ? -y : y
  }

  static func cos(_ input: Double) -> Double {
    if input.isNaN || input.isInfinite { return .nan }
    var sign = false
    var (j, z) = reduce(Swift.abs(input))
    j &= 7
    if j > 3 {
      j -= 4
      sign.toggle()
    }
    if j > 1 { sign.toggle() }
    let zz = z * z
    let y = j == 1 || j == 2 ? sinPolynomial(z, zz) : cosPolynomial(zz)
    return sign ? -y : y
  }

  static func tan(_ input: Double) -> Double {
    if input == 0 || input.isNaN { return input }
    if input.isInfinite { return .nan }
    let (j, z) = reduce(Swift.abs(input))
    let zz = z * z
    var y = z
    if zz > 1e-14 {
      y =
        z + z
        * (zz * (((tanP[0] * zz) + tanP[1]) * zz + tanP[2])
          / ((((zz + tanQ[1]) * zz + tanQ[2]) * zz + tanQ[3]) * zz + tanQ[4]))
    }
    if j & 2 == 2 { y = -1 / y }
    return input < 0 ? -y : y
  }

  /// Bits of 4/π: 4/π = Σ digits[i] · 2^(−64·i).
  static let fourOverPiDigits: [UInt64] = [
    0x0000_0000_0000_0001, 0x45f3_06dc_9c88_2a53, 0xf84e_afa3_ea69_bb81, 0xb6c5_2b32_7887_2083,
    0xfca2_c757_bd77_8ac3, 0x6e48_dc74_849b_a5c0, 0x0c92_5dd4_13a3_2439, 0xfc3b_d639_6253_4e7d,
    0xd104_6bea_5d76_8909, 0xd338_e04d_68be_fc82, 0x7323_ac73_06a6_73e9, 0x3908_bf17_7bf2_5076,
    0x3ff1_2fff_bc0b_301f, 0xde5e_2316_b414_da3e, 0xda6c_fd9e_4f96_136e, 0x9e8c_7ecd_3cbf_d45a,
    0xea4f_758f_d7cb_e2f6, 0x7a0e_73ef_14a5_25d4, 0xd7f6_bf62_3f1a_ba10, 0xac06_608d_f8f6_d757,
  ]

  /// Payne–Hanek reduction by π/4: Go's `trigReduce`, after Ng and others (1992).
  static func payneHanek(_ x: Double) -> (j: UInt64, z: Double) {
    let pi4 = Double.pi / 4
    if x < pi4 { return (0, x) }
    var ix = x.bitPattern
    let exp = Int((ix >> 52) & 0x7FF) - 1023 - 52
    ix &= ~(UInt64(0x7FF) << 52)
    ix |= 1 << 52
    let digit = (exp + 61) / 64
    let bitshift = UInt64((exp + 61) % 64)
    let d = fourOverPiDigits
    func shifted(_ index: Int) -> UInt64 {
      bitshift == 0 ? d[index] : (d[index] << bitshift) | (d[index + 1] >> (64 - bitshift))
    }
    let z0 = shifted(digit)
    let z1 = shifted(digit + 1)
    let z2 = shifted(digit + 2)
    let z2hi = z2.multipliedFullWidth(by: ix).high
    let (z1hi, z1lo) = z1.multipliedFullWidth(by: ix)
    let z0lo = z0 &* ix
    let (lo, carry) = z1lo.addingReportingOverflow(z2hi)
    let hi0 = z0lo &+ z1hi &+ (carry ? 1 : 0)
    var j = hi0 >> 61
    var hi = hi0 << 3 | lo >> 61
    let leadingZeros = UInt64(hi.leadingZeroBitCount)
    let e = UInt64(1023) &- (leadingZeros + 1)
    hi = (hi << (leadingZeros + 1)) | (lo >> (64 - (leadingZeros + 1)))
    hi >>= 64 - 52
    hi |= e << 52
    var z = Double(bitPattern: hi)
    if j & 1 == 1 {
      j += 1
      j &= 7
      z -= 1
    }
    return (j, z * pi4)
  }
}
