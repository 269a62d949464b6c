import ArgumentParser

// Async so that `serve` can run its server; the other commands are synchronous and run as before.
@main
struct MBConvert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mbconvert",
        abstract: "Convert, quantize, validate and run ModernBERT models on small CPU hosts.",
        subcommands: [
            ConvertCommand.self, InspectCommand.self, ForwardCommand.self, TokenizeCommand.self,
            // conversion and checks
            QuantizeCommand.self, ValidateCommand.self, BenchCommand.self,
            // text tasks
            FillMaskCommand.self, EmbedCommand.self, SimilarityCommand.self, ClassifyCommand.self,
            NERCommand.self, QACommand.self, RerankCommand.self,
            // serving
            ServeCommand.self,
        ]
    )

    /// Refuses to run on an empty argument list, then parses as usual.
    ///
    /// Every exec passes at least the program's own name, so an empty list means the arguments were
    /// lost: the Swift runtime on Linux reads them from `/proc/self/cmdline`, and in a root without
    /// `/proc` (a bare chroot, a minimal container) it gets none. The parser would then print the
    /// top-level help and exit 0, so `mbconvert fill-mask ...` would look as if it had succeeded.
    /// Async, as `AsyncParsableCommand.main()`: the synchronous `main(nil)` cannot run an async
    /// subcommand (`serve`) and prints its help instead.
    static func main() async {
        guard !CommandLine.arguments.isEmpty else {
            exit(withError: ArgumentsUnavailable())
        }
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// The arguments could not be read (see ``MBConvert/main()``).
struct ArgumentsUnavailable: Error, CustomStringConvertible {
    var description: String {
        "mbconvert received no command-line arguments, not even its own name, because the Swift runtime reads them from /proc/self/cmdline: mount /proc (mount -t proc proc /proc) and run it again."
    }
}
