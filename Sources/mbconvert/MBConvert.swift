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
}
