import Foundation
import FuzzTargets

// `platformsim-fuzz`: the input readers under libFuzzer (scripts/fuzz.sh), or, in an
// ordinary build, a replayer of saved inputs: `platformsim-fuzz TARGET FILE...` reads each
// file with TARGET's reader and says whether it was accepted (a crash reproduces as a
// crash). scripts/fuzz.sh builds with `-sanitize=fuzzer -D PLATFORMSIM_FUZZ`; the target
// is chosen by PLATFORMSIM_FUZZ_TARGET, since libFuzzer owns the command line.

#if PLATFORMSIM_FUZZ
  nonisolated(unsafe) private var selectedTarget: FuzzTarget?
  nonisolated(unsafe) private var workingDirectory: URL?

  @_cdecl("LLVMFuzzerInitialize")
  public func fuzzerInitialize(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
  ) -> CInt {
    let name = ProcessInfo.processInfo.environment["PLATFORMSIM_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
      let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
      FileHandle.standardError.write(Data("set PLATFORMSIM_FUZZ_TARGET to one of: \(names)\n".utf8))
      exit(2)
    }
    selectedTarget = target
    workingDirectory = FuzzTarget.makeWorkingDirectory()
    return 0
  }

  @_cdecl("LLVMFuzzerTestOneInput")
  public func fuzzerTestOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard let selectedTarget, let workingDirectory else { return 0 }
    selectedTarget.read(Data(bytes: bytes, count: count), directory: workingDirectory)
    return 0
  }

  /// libFuzzer's driver (compiler-rt FuzzerDriver.cpp), which parses its flags and fuzzes.
  @_silgen_name("LLVMFuzzerRunDriver")
  func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ testOneInput: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
  ) -> CInt

  /// The executable's entry point: SwiftPM links an executable module's `main` as
  /// `PlatformSimFuzz_main`, so libFuzzer's own `main` is not used; this hands over to
  /// its driver.
  @_cdecl("PlatformSimFuzz_main")
  public func fuzzMain(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
  ) -> CInt {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return runFuzzerDriver(&count, &arguments, fuzzerTestOneInput)
  }
#else
  @main
  enum PlatformSimFuzz {
    static func main() {
      let arguments = CommandLine.arguments.dropFirst()
      guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count > 1 else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
        FileHandle.standardError.write(Data("usage: platformsim-fuzz \(names) FILE...\n".utf8))
        exit(2)
      }
      let directory = FuzzTarget.makeWorkingDirectory()
      defer { try? FileManager.default.removeItem(at: directory) }
      for path in arguments.dropFirst() {
        guard let data = FileManager.default.contents(atPath: path) else {
          FileHandle.standardError.write(Data("platformsim-fuzz: cannot read \(path)\n".utf8))
          exit(2)
        }
        let accepted = target.read(data, directory: directory)
        print("\(path): \(accepted ? "accepted" : "refused")")
      }
    }
  }
#endif
