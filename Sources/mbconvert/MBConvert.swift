import ArgumentParser

@main
struct MBConvert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mbconvert",
        abstract: "Convert, quantize, validate and run ModernBERT models on small CPU hosts.",
        subcommands: [
            ConvertCommand.self, InspectCommand.self, ForwardCommand.self, TokenizeCommand.self,
            FillMaskCommand.self, QuantizeCommand.self, ValidateCommand.self, BenchCommand.self,
        ]
    )
}
