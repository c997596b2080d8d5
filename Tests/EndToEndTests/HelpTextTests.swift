import ArgumentParser
import Testing

@testable import PlatformSimCLI

/// `platformsim … --help` reads well in an 80-column terminal (or piped, where
/// argument-parser assumes 80 columns): paragraphs are wrapped once, by the parser, and
/// examples are never cut.
@Suite("Help text")
struct HelpTextTests {
  /// Every command of the tree with the arguments that name it, subcommands after
  /// their parent.
  static func commands(
    _ root: ParsableCommand.Type = PlatformSimCommand.self, path: [String] = []
  ) -> [(path: [String], command: ParsableCommand.Type)] {
    [(path, root)]
      + root.configuration.subcommands.flatMap { commands($0, path: path + [$0._commandName]) }
  }

  @Test("paragraphs and list items are joined; indented and empty lines are kept")
  func reflow() {
    let text = """
      Writes runs,
      KPIs and rows.

      Examples:
        platformsim run a.yaml
        platformsim run b.yaml
      Then:
      - one item
        continued
      - another
      12. numbered
          continued
      and prose after a list item starts its own line
      """
    #expect(
      HelpText.reflowed(text) == """
        Writes runs, KPIs and rows.

        Examples:
          platformsim run a.yaml
          platformsim run b.yaml
        Then:
        - one item continued
        - another
        12. numbered continued
        and prose after a list item starts its own line
        """)
    #expect(HelpText.reflowed("") == "")
    #expect(HelpText.reflowed("one\n\n\ntwo\n") == "one\n\n\ntwo\n")
  }

  @Test("every command's paragraphs are one line each, and its examples are never cut")
  func everyCommand() throws {
    let commands = Self.commands()
    #expect(commands.count >= 18)
    for (path, command) in commands {
      let name = (["platformsim"] + path).joined(separator: " ")
      let lines = command.configuration.discussion.split(separator: "\n", omittingEmptySubsequences: false)
      for (line, next) in zip(lines, lines.dropFirst()) where !line.isEmpty && !next.isEmpty {
        // A paragraph left as several source lines is cut twice in a narrow terminal.
        let continuesProse =
          !line.hasPrefix(" ") && HelpText.listMarkerWidth(line) == nil
          && !next.hasPrefix(" ") && HelpText.listMarkerWidth(next) == nil
        #expect(!continuesProse, "\(name): a paragraph is split before \"\(next)\"")
      }
      // What a user sees piped, or in an 80-column terminal.
      let help = try PlatformSimProcess.run(path + ["--help"], environment: ["COLUMNS": "\(HelpText.columns)"])
      #expect(help.status == 0)
      let rendered = help.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
      for line in lines where line.hasPrefix(" ") {
        let keptWhole = rendered.contains(line)
        #expect(keptWhole, "\(name): \"\(line)\" is cut at \(HelpText.columns) columns")
      }
      // argument-parser wraps everything else, but never the usage line.
      for line in rendered where line.count > HelpText.columns && !line.hasPrefix("USAGE:") {
        Issue.record("\(name): \"\(line)\" is over \(HelpText.columns) columns")
      }
      // An option's default is stated once, by the parser (`(default: …)`), not also in
      // its own words, where the two could disagree. Wide, each option is one line.
      let wide = try PlatformSimProcess.run(path + ["--help"], environment: ["COLUMNS": "10000"])
      for line in wide.standardOutput.split(separator: "\n") {
        guard let parsers = line.range(of: "(default: ") else { continue }
        #expect(!line[..<parsers.lowerBound].contains("(default"), "\(name): \"\(line)\" states its default twice")
      }
    }
  }
}
