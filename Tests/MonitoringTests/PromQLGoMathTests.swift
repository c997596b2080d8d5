import Monitoring
import Testing

/// PromQL's transcendental functions return the bits Go's `math` gives, not glibc's.
///
/// `exp`, `ln`, `log2`, `log10`, the inverse trigonometric and hyperbolic functions, `^`
/// and `atan2` as Go's `math` package computes them on linux/amd64 (go1.19, as Prometheus
/// 2.42 is built). Each expected value was printed by a Go 1.19
/// program calling `math.Exp`, `math.Log`, …; at 17 of them glibc's result differs in the
/// last bit, so a regression to the C library fails here even where promtool is not
/// installed (the promtool cross-check covers the rest).
@Suite("PromQL Go math")
struct PromQLGoMathTests {
  static let goResults: [(String, UInt64)] = [
    ("exp(vector(0.75))", 0x4000_ef9d_b467_dcf8),
    ("exp(vector(-0.33))", 0x3fe7_016c_586d_1129),
    ("exp(vector(1e-05))", 0x3ff0_000a_7c5e_340e),
    ("exp(vector(-700.0))", 0x00d1_4f2b_0fb9_307f),
    ("exp(vector(-740.0))", 0x0000_0000_0000_0055),
    ("exp(vector(3.3))", 0x403b_1cd5_e780_7b7b),
    ("exp(vector(0.123456789))", 0x3ff2_1a38_0e17_ced3),
    ("ln(vector(7.0))", 0x3fff_2272_ae32_5a57),
    ("ln(vector(0.3))", 0xbff3_4378_fcbd_a721),
    ("ln(vector(1000.0))", 0x401b_a18a_998f_ffa0),
    ("ln(vector(0.033))", 0xc00b_4a3c_3e4a_466f),
    ("ln(vector(0.7071067811865476))", 0xbfd6_2e42_fefa_39ee),
    ("ln(vector(5e-324))", 0xc086_28b7_6e3a_7b61),
    ("log10(vector(7000.0))", 0x400e_c2c2_c2de_330f),
    ("log10(vector(300.0))", 0x4003_d124_f2c9_fabf),
    ("log10(vector(0.2))", 0xbfe6_5df6_57b0_4300),
    ("log2(vector(3.0))", 0x3ff9_5c01_a39f_bd69),
    ("log2(vector(1e-300))", 0xc08f_24a0_9f1a_8b89),
    ("asin(vector(0.7))", 0x3fe8_d00e_692a_fd95),
    ("asin(vector(-0.45))", 0xbfdd_df7b_ba87_53cc),
    ("asin(vector(0.99))", 0x3ff6_de3c_6f33_d51d),
    ("acos(vector(-0.999))", 0x4008_c662_80ae_928e),
    ("acos(vector(0.123456789))", 0x3ff7_2702_6158_be55),
    ("atan(vector(-1.0))", 0xbfe9_21fb_5444_2d18),
    ("atan(vector(6.0))", 0x3ff6_7d88_63bc_99bc),
    ("atan(vector(0.66))", 0x3fe2_aafd_de4d_0c9f),
    ("atan(vector(2.5))", 0x3ff3_0b6d_796a_4da8),
    ("sinh(vector(0.99))", 0x3ff2_8ea8_bd25_b2d2),
    ("sinh(vector(0.7))", 0x3fe8_4651_53d5_bdbe),
    ("sinh(vector(-1.25))", 0xbff9_a175_e6cb_afe6),
    ("sinh(vector(30.0))", 0x4293_7047_0aec_28ec),
    ("cosh(vector(0.25))", 0x3ff0_80ab_05ca_6146),
    ("cosh(vector(-1.25))", 0x3ffe_36fb_f496_45fa),
    ("tanh(vector(0.99))", 0x3fe8_3c4f_e9b7_70e1),
    ("tanh(vector(0.7))", 0x3fe3_56fb_17af_2e91),
    ("tanh(vector(-0.3))", 0xbfd2_a4dd_a7d9_14fa),
    ("asinh(vector(0.5))", 0x3fde_cc2c_aec5_160a),
    ("asinh(vector(3.0))", 0x3ffd_185b_507e_dc0e),
    ("asinh(vector(-1000000000.0))", 0xc035_6a9a_0b23_d187),
    ("acosh(vector(1.5))", 0x3fee_cc2c_aec5_160a),
    ("acosh(vector(4.0))", 0x4000_81eb_4b42_1592),
    ("atanh(vector(0.3))", 0x3fd3_cf2b_5061_7c96),
    ("atanh(vector(-0.85))", 0xbff4_1933_b0e4_4638),
    ("vector(7.0) ^ 0.99", 0x401b_75dd_91ca_a8ce),
    ("vector(9.75) ^ 0.1", 0x3ff4_1785_0c9a_5ca5),
    ("vector(2.0) ^ -0.2", 0x3feb_db8c_dadb_e120),
    ("vector(2.0) ^ -2.4", 0x3fc8_4060_03b2_ae5d),
    ("vector(1.5) ^ 100.5", 0x439b_a410_4f64_1d8d),
    ("vector(-2.0) ^ 3.0", 0xc020_0000_0000_0000),
    ("vector(10.0) ^ -300.0", 0x01a5_6e1f_c2f8_f355),
    ("vector(1.0) atan2 vector(-2.0)", 0x4005_6c6e_7397_f5ae),
    ("vector(-3.0) atan2 vector(0.5)", 0xbff6_7d88_63bc_99bc),
  ]

  @Test("results are bit-identical to Go's math package", arguments: goResults)
  func bitIdentical(_ expression: String, _ bits: UInt64) throws {
    let engine = PromQLEngine(store: SeriesStore())
    guard case .vector(let samples) = try engine.query(expression, atMs: 0), samples.count == 1 else {
      Issue.record("\(expression) did not return one sample")
      return
    }
    #expect(
      samples[0].value.bitPattern == bits,
      "\(expression) = \(samples[0].value) (0x\(String(samples[0].value.bitPattern, radix: 16))), Go gives \(Double(bitPattern: bits))"
    )
  }
}
