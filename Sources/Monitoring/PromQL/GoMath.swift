/// Go's `math.Exp`, `Log`, `Log10`, `Log2`, `Log1p`, `Asin`, `Acos`, `Atan`, `Atan2`, `Sinh`,
/// `Cosh`, `Tanh`, `Asinh`, `Acosh`, `Atanh` and `Pow`, as the go1.19 linux/amd64 build of
/// Prometheus 2.42 runs them, so that PromQL's `exp`, `ln`, `log2`, `log10`, the
/// trigonometric and hyperbolic functions and the `^` and `atan2` operators agree with Prometheus bit
/// for bit (glibc's results differ from Go's in the last bit at many arguments).
///
/// On amd64 Go runs assembly for two of them (`src/math/exp_asm.go`, `log_asm.go`):
/// - `Exp` is `exp_amd64.s`, Shibata's SLEEF method: `k = round(x·log₂e)`, a two-part
///   `ln 2` reduction, the argument divided by 16, a degree-8 Taylor polynomial and four
///   squarings of `e^r − 1`. Go takes a fused multiply–add variant when the CPU has AVX
///   and FMA (`exp_amd64.go`: `useFMA`), which every x86-64 server since 2013 has. We
///   follow the FMA variant on every machine (Swift's `addingProduct` is a correctly
///   rounded fused multiply–add, in hardware or not), so our results do not depend on
///   the host; Prometheus on a CPU without FMA gives `exp` results that differ from ours
///   (and from its own on newer CPUs) in the last bit.
/// - `Log` is `log_amd64.s`: FreeBSD's `e_log.c` polynomial like `log.go`, but with
///   `k` and `f` taken from the exponent bits directly (subnormals are not normalised)
///   and `f ≤ √2/2` (not `<`) choosing the lower binade.
///
/// The rest is pure Go (`src/math/stubs.go` has no amd64 assembly for them): the Cephes
/// algorithms of `asin.go`, `atan.go`, `sinh.go`, `tanh.go`, FreeBSD's `s_log1p.c` in
/// `log1p.go`, `asinh.go`/`acosh.go`/`atanh.go`, and `pow.go`'s square-and-multiply on
/// `Frexp` parts with `Exp(yf·Log(x))` for the fractional power. Go does not fuse
/// multiply–adds on amd64, so the pure-Go ports below use plain operations.
enum GoMath {
  /// Go's `math.NaN()`, the value the functions below return for arguments out of domain.
  static let nan = Double(bitPattern: 0x7FF8_0000_0000_0001)

  // MARK: Exp (exp_amd64.s, FMA variant)

  static let log2e = 1.4426950408889634073599246810018920
  static let ln2Upper = 0.69314718055966295651160180568695068359375
  static let ln2Lower = 0.28235290563031577122588448175013436025525412068e-12
  static let expOverflow = 7.09782712893384e+02
  /// 1/8!, 1/7!, …, 1/3!, 1/2, 1 as `exp_amd64.s`'s `exprodata` holds them.
  static let expTaylor: [Double] = [
    2.4801587301587301587e-5, 1.9841269841269841270e-4, 1.3888888888888888889e-3, 8.3333333333333333333e-3,
    4.1666666666666666667e-2, 1.6666666666666666667e-1, 0.5, 1.0,
  ]

  static func exp(_ x: Double) -> Double {
    if x.isNaN || x == .infinity { return x }
    if x == -.infinity { return 0 }
    if x > expOverflow { return .infinity }
    // CVTSD2SL: round to nearest even; out of range gives the "integer indefinite" value.
    let scaled = (x * log2e).rounded(.toNearestOrEven)
    let k: Int32 = scaled >= -2_147_483_648 && scaled < 2_147_483_648 ? Int32(scaled) : Int32.min
    let kd = Double(k)
    var r = x.addingProduct(-kd, ln2Upper)
    r = r.addingProduct(-kd, ln2Lower)
    r *= 0.0625
    var p = expTaylor[0]
    for coefficient in expTaylor.dropFirst() { p = coefficient.addingProduct(p, r) }
    r *= p
    for _ in 0..<3 { r *= r + 2 }
    r = 1.0.addingProduct(r, r + 2)
    // ldexp: multiply by 2^k, through the subnormal range in two steps.
    var biased = Int(k) + 0x3FF
    if biased <= 0 {
      if biased < -52 { return 0 }
      r *= Double(bitPattern: UInt64(biased + 0x3FE) << 52)
      biased = 1
    }
    if biased >= 0x7FF { return .infinity }
    return r * Double(bitPattern: UInt64(biased) << 52)
  }

  // MARK: Log (log_amd64.s)

  static let ln2Hi = 6.93147180369123816490e-01
  static let ln2Lo = 1.90821492927058770002e-10
  static let logL: [Double] = [
    6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01, 2.222219843214978396e-01,
    1.818357216161805012e-01, 1.531383769920937332e-01, 1.479819860511658591e-01,
  ]
  static let halfSqrt2 = 7.07106781186547524401e-01

  static func log(_ x: Double) -> Double {
    let bits = x.bitPattern
    if bits & ~(1 << 63) == 0 { return -.infinity }
    if bits >> 63 == 1 { return nan }
    if bits >= 0x7FF0_0000_0000_0000 { return x }
    var f1 = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FE0_0000_0000_0000)
    var k = Double(Int32((bits >> 52) & 0x7FF) - 0x3FE)
    if f1 <= halfSqrt2 {
      k -= 1
      f1 *= 2
    }
    let f = f1 - 1
    let s = f / (2 + f)
    let s2 = s * s
    let s4 = s2 * s2
    let t1 = s2 * (logL[0] + s4 * (logL[2] + s4 * (logL[4] + s4 * logL[6])))
    let t2 = s4 * (logL[1] + s4 * (logL[3] + s4 * logL[5]))
    let r = t1 + t2
    let hfsq = 0.5 * f * f
    return k * ln2Hi - ((hfsq - (s * (hfsq + r) + k * ln2Lo)) - f)
  }

  /// `log10.go`: `Log(x) * (1/Ln10)`, the constant rounded once.
  static func log10(_ x: Double) -> Double { log(x) * 0.43429448190325182765112891891660508229439700580366656611445378 }

  /// `log10.go`: `Log(frac)*(1/Ln2) + exp`, exact at powers of two.
  static func log2(_ x: Double) -> Double {
    let (fraction, exponent) = frexp(x)
    if fraction == 0.5 { return Double(exponent - 1) }
    return log(fraction) * 1.44269504088896340735992468100189213742664595415298593413544940 + Double(exponent)
  }

  // MARK: Frexp, Ldexp, Modf (frexp.go, ldexp.go, modf.go)

  static let smallestNormal = 2.2250738585072014e-308

  static func normalize(_ x: Double) -> (Double, Int) {
    Swift.abs(x) < smallestNormal ? (x * Double(1 << 52), -52) : (x, 0)
  }

  static func frexp(_ value: Double) -> (Double, Int) {
    if value == 0 || value.isInfinite || value.isNaN { return (value, 0) }
    let (f, e) = normalize(value)
    var bits = f.bitPattern
    let exponent = e + Int((bits >> 52) & 0x7FF) - 1023 + 1
    bits &= ~(UInt64(0x7FF) << 52)
    bits |= UInt64(1022) << 52
    return (Double(bitPattern: bits), exponent)
  }

  static func ldexp(_ fraction: Double, _ exponent: Int) -> Double {
    if fraction == 0 || fraction.isInfinite || fraction.isNaN { return fraction }
    let (f, e) = normalize(fraction)
    var bits = f.bitPattern
    var exp = exponent + e + Int((bits >> 52) & 0x7FF) - 1023
    if exp < -1075 { return f < 0 ? -0.0 : 0 }
    if exp > 1023 { return f < 0 ? -.infinity : .infinity }
    var m = 1.0
    if exp < -1022 {
      exp += 53
      m = 1.0 / Double(1 << 53)
    }
    bits &= ~(UInt64(0x7FF) << 52)
    bits |= UInt64(exp + 1023) << 52
    return m * Double(bitPattern: bits)
  }

  static func modf(_ value: Double) -> (integer: Double, fraction: Double) {
    if value < 1 {
      if value < 0 {
        let (i, f) = modf(-value)
        return (-i, -f)
      }
      if value == 0 { return (value, value) }
      return (0, value)
    }
    var bits = value.bitPattern
    let e = Int((bits >> 52) & 0x7FF) - 1023
    if e < 52 { bits &= ~((UInt64(1) << UInt64(52 - e)) - 1) }
    let integer = Double(bitPattern: bits)
    return (integer, value - integer)
  }

  // MARK: Asin, Acos, Atan (asin.go, atan.go)

  static let atanP: [Double] = [
    -8.750608600031904122785e-01, -1.615753718733365076637e+01, -7.500855792314704667340e+01,
    -1.228866684490136173410e+02, -6.485021904942025371773e+01,
  ]
  static let atanQ: [Double] = [
    2.485846490142306297962e+01, 1.650270098316988542046e+02, 4.328810604912902668951e+02,
    4.853903996359136964868e+02, 1.945506571482613964425e+02,
  ]

  static func xatan(_ x: Double) -> Double {
    let p = atanP
    let q = atanQ
    var z = x * x
    z =
      z * ((((p[0] * z + p[1]) * z + p[2]) * z + p[3]) * z + p[4])
      / (((((z + q[0]) * z + q[1]) * z + q[2]) * z + q[3]) * z + q[4])
    return x * z + x
  }

  static func satan(_ x: Double) -> Double {
    let moreBits = 6.123233995736765886130e-17
    if x <= 0.66 { return xatan(x) }
    if x > 2.41421356237309504880 { return Double.pi / 2 - xatan(1 / x) + moreBits }
    return Double.pi / 4 + xatan((x - 1) / (x + 1)) + 0.5 * moreBits
  }

  static func atan(_ x: Double) -> Double {
    if x == 0 { return x }
    return x > 0 ? satan(x) : -satan(-x)
  }

  static func asin(_ input: Double) -> Double {
    if input == 0 { return input }
    let x = Swift.abs(input)
    if x > 1 { return nan }
    var temp = (1 - x * x).squareRoot()
    temp = x > 0.7 ? Double.pi / 2 - satan(temp / x) : satan(x / temp)
    return input < 0 ? -temp : temp
  }

  static func acos(_ x: Double) -> Double { Double.pi / 2 - asin(x) }

  /// `atan2.go` (pure Go on amd64), which PromQL's `atan2` operator calls.
  static func atan2(_ y: Double, _ x: Double) -> Double {
    func withSignOf(_ magnitude: Double, _ sign: Double) -> Double { sign.sign == .minus ? -magnitude : magnitude }
    if y.isNaN || x.isNaN { return nan }
    if y == 0 { return x >= 0 && x.sign == .plus ? withSignOf(0, y) : withSignOf(Double.pi, y) }
    if x == 0 { return withSignOf(Double.pi / 2, y) }
    if x.isInfinite {
      if x > 0 { return y.isInfinite ? withSignOf(Double.pi / 4, y) : withSignOf(0, y) }
      // 3π/4, rounded once as Go's constant expression `3*Pi/4` is.
      return y.isInfinite
        ? withSignOf(2.35619449019234492884698253745962716314787704953132936573120844, y) : withSignOf(Double.pi, y)
    }
    if y.isInfinite { return withSignOf(Double.pi / 2, y) }
    let q = atan(y / x)
    if x < 0 { return q <= 0 ? q + Double.pi : q - Double.pi }
    return q
  }

  // MARK: Sinh, Cosh, Tanh (sinh.go, tanh.go)

  static func sinh(_ input: Double) -> Double {
    let p: [Double] = [
      -0.6307673640497716991184787251e+6, -0.8991272022039509355398013511e+5, -0.2894211355989563807284660366e+4,
      -0.2630563213397497062819489e+2,
    ]
    let q: [Double] = [
      -0.6307673640497716991212077277e+6, 0.1521517378790019070696485176e+5, -0.173678953558233699533450911e+3,
    ]
    let x = input < 0 ? -input : input
    var temp: Double
    if x > 21 {
      temp = exp(x) * 0.5
    } else if x > 0.5 {
      let ex = exp(x)
      temp = (ex - 1 / ex) * 0.5
    } else {
      let sq = x * x
      temp = (((p[3] * sq + p[2]) * sq + p[1]) * sq + p[0]) * x
      temp = temp / (((sq + q[2]) * sq + q[1]) * sq + q[0])
    }
    return input < 0 ? -temp : temp
  }

  static func cosh(_ input: Double) -> Double {
    let x = Swift.abs(input)
    if x > 21 { return exp(x) * 0.5 }
    let ex = exp(x)
    return (ex + 1 / ex) * 0.5
  }

  static func tanh(_ x: Double) -> Double {
    let p: [Double] = [-9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3]
    let q: [Double] = [1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3]
    let maxLog = 8.8029691931113054295988e+01
    var z = Swift.abs(x)
    if z > 0.5 * maxLog { return x < 0 ? -1 : 1 }
    if z >= 0.625 {
      let s = exp(2 * z)
      z = 1 - 2 / (s + 1)
      return x < 0 ? -z : z
    }
    if x == 0 { return x }
    let s = x * x
    return x + x * s * ((p[0] * s + p[1]) * s + p[2]) / (((s + q[0]) * s + q[1]) * s + q[2])
  }

  // MARK: Log1p, Asinh, Acosh, Atanh (log1p.go, asinh.go, acosh.go, atanh.go)

  static func log1p(_ x: Double) -> Double {
    let lp: [Double] = [
      6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01, 2.222219843214978396e-01,
      1.818357216161805012e-01, 1.531383769920937332e-01, 1.479819860511658591e-01,
    ]
    if x < -1 || x.isNaN { return nan }
    if x == -1 { return -.infinity }
    if x == .infinity { return .infinity }
    let absx = Swift.abs(x)
    var f = 0.0
    var iu: UInt64 = 0
    var k = 1
    if absx < 4.142135623730950488017e-01 {
      if absx < 1.0 / Double(1 << 29) {
        if absx < 1.0 / Double(1 << 54) { return x }
        return x - x * x * 0.5
      }
      if x > -2.928932188134524755992e-01 {
        k = 0
        f = x
        iu = 1
      }
    }
    var c = 0.0
    if k != 0 {
      var u: Double
      if absx < Double(1 << 53) {
        u = 1.0 + x
        iu = u.bitPattern
        k = Int(iu >> 52) - 1023
        c = k > 0 ? 1.0 - (u - x) : x - (u - 1.0)
        c /= u
      } else {
        u = x
        iu = u.bitPattern
        k = Int(iu >> 52) - 1023
        c = 0
      }
      iu &= 0x000F_FFFF_FFFF_FFFF
      if iu < 0x0006_A09E_667F_3BCD {
        u = Double(bitPattern: iu | 0x3FF0_0000_0000_0000)
      } else {
        k += 1
        u = Double(bitPattern: iu | 0x3FE0_0000_0000_0000)
        iu = (0x0010_0000_0000_0000 - iu) >> 2
      }
      f = u - 1.0
    }
    let hfsq = 0.5 * f * f
    let kd = Double(k)
    if iu == 0 {
      if f == 0 {
        if k == 0 { return 0 }
        c += kd * ln2Lo
        return kd * ln2Hi + c
      }
      let r = hfsq * (1.0 - 0.66666666666666666 * f)
      if k == 0 { return f - r }
      return kd * ln2Hi - ((r - (kd * ln2Lo + c)) - f)
    }
    let s = f / (2.0 + f)
    let z = s * s
    let r = z * (lp[0] + z * (lp[1] + z * (lp[2] + z * (lp[3] + z * (lp[4] + z * (lp[5] + z * lp[6]))))))
    if k == 0 { return f - (hfsq - s * (hfsq + r)) }
    return kd * ln2Hi - ((hfsq - (s * (hfsq + r) + (kd * ln2Lo + c))) - f)
  }

  static let ln2 = 6.93147180559945286227e-01

  static func asinh(_ input: Double) -> Double {
    if input.isNaN || input.isInfinite { return input }
    let x = input < 0 ? -input : input
    let temp: Double
    if x > Double(1 << 28) {
      temp = log(x) + ln2
    } else if x > 2 {
      temp = log(2 * x + 1 / ((x * x + 1).squareRoot() + x))
    } else if x < 1.0 / Double(1 << 28) {
      temp = x
    } else {
      temp = log1p(x + x * x / (1 + (1 + x * x).squareRoot()))
    }
    return input < 0 ? -temp : temp
  }

  static func acosh(_ x: Double) -> Double {
    if x < 1 || x.isNaN { return nan }
    if x == 1 { return 0 }
    if x >= Double(1 << 28) { return log(x) + ln2 }
    if x > 2 { return log(2 * x - 1 / (x + (x * x - 1).squareRoot())) }
    let t = x - 1
    return log1p(t + (2 * t + t * t).squareRoot())
  }

  static func atanh(_ input: Double) -> Double {
    if input < -1 || input > 1 || input.isNaN { return nan }
    if input == 1 { return .infinity }
    if input == -1 { return -.infinity }
    let x = input < 0 ? -input : input
    var temp: Double
    if x < 1.0 / Double(1 << 28) {
      temp = x
    } else if x < 0.5 {
      temp = x + x
      temp = 0.5 * log1p(temp + temp * x / (1 - x))
    } else {
      temp = 0.5 * log1p((x + x) / (1 - x))
    }
    return input < 0 ? -temp : temp
  }

  // MARK: Pow (pow.go)

  static func isOddInt(_ x: Double) -> Bool {
    let (integer, fraction) = modf(x)
    return fraction == 0 && Swift.abs(integer) < 0x1p63 && Int64(integer) & 1 == 1
  }

  static func pow(_ x: Double, _ y: Double) -> Double {
    if y == 0 || x == 1 { return 1 }
    if y == 1 { return x }
    if x.isNaN || y.isNaN { return nan }
    if x == 0 {
      if y < 0 { return isOddInt(y) ? (x.sign == .minus ? -Double.infinity : .infinity) : .infinity }
      if y > 0 { return isOddInt(y) ? x : 0 }
    }
    if y.isInfinite {
      if x == -1 { return 1 }
      return (Swift.abs(x) < 1) == (y > 0) ? 0 : .infinity
    }
    if x.isInfinite {
      if x < 0 { return pow(1 / x, -y) }
      if y < 0 { return 0 }
      if y > 0 { return .infinity }
    }
    if y == 0.5 { return x.squareRoot() }
    if y == -0.5 { return 1 / x.squareRoot() }
    var (yi, yf) = modf(Swift.abs(y))
    if yf != 0 && x < 0 { return nan }
    if yi >= 0x1p63 {
      if x == -1 { return 1 }
      return (Swift.abs(x) < 1) == (y > 0) ? 0 : .infinity
    }
    var a1 = 1.0
    var ae = 0
    if yf != 0 {
      if yf > 0.5 {
        yf -= 1
        yi += 1
      }
      a1 = exp(yf * log(x))
    }
    var (x1, xe) = frexp(x)
    var i = Int64(yi)
    while i != 0 {
      if xe < -(1 << 12) || (1 << 12) < xe {
        ae += xe
        break
      }
      if i & 1 == 1 {
        a1 *= x1
        ae += xe
      }
      x1 *= x1
      xe <<= 1
      if x1 < 0.5 {
        x1 += x1
        xe -= 1
      }
      i >>= 1
    }
    if y < 0 {
      a1 = 1 / a1
      ae = -ae
    }
    return ldexp(a1, ae)
  }
}
