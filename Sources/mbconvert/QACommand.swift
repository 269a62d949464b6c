import ArgumentParser
import Foundation
import MBRuntime

struct QACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qa",
        abstract: "Extractive question answering (question-answering files); long contexts are split into overlapping windows.")

    @Argument(help: "Model file (converted from a ModernBertForQuestionAnswering checkpoint).")
    var file: String

    @Option(help: "The question.")
    var question: String?

    @Option(help: "The passage to find the answer in.")
    var context: String?

    @Option(help: "JSON Lines input: {\"question\": ..., \"context\": ...} per line.")
    var input: String?

    @Option(help: "Tokens per window, special tokens included.")
    var maxLength = 384

    @Option(help: "Overlap of consecutive windows, in tokens.")
    var stride = 128

    @Option(help: "Longest answer, in tokens.")
    var maxAnswerLength = 15

    @Flag(help: "Print JSON: {\"answer\", \"score\", \"start\", \"end\"} per question.")
    var json = false

    private struct Line: Decodable { var question: String; var context: String }

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let model = try runtime.loadModel(file)
        var queries: [QuestionAnswerer.Query] = []
        if let input {
            guard question == nil, context == nil else { throw ValidationError("give --question/--context or --input, not both") }
            for (number, data) in try JSONLines.lines(path: input) {
                guard let line = try? JSONDecoder().decode(Line.self, from: data) else {
                    throw ValidationError("\(input):\(number): expected {\"question\": ..., \"context\": ...}")
                }
                queries.append(.init(question: line.question, context: line.context))
            }
        } else {
            guard let question, let context else { throw ValidationError("give --question and --context, or --input qa.jsonl") }
            queries = [.init(question: question, context: context)]
        }
        var qa = try QuestionAnswerer(model: model)
        qa.maxLength = maxLength
        qa.stride = stride
        qa.maxAnswerLength = maxAnswerLength
        let (bar, progress) = TaskCommand.progress("qa", items: queries.count)
        let answers = try qa.answer(queries, progress: progress)
        bar?.finish()
        if json {
            let objects: [Any] = answers.map { a in
                guard let a else { return NSNull() }
                return ["answer": a.text, "score": Double(a.score), "start": a.start, "end": a.end] as [String: Any]
            }
            try TaskCommand.printJSON(objects.count == 1 ? objects[0] : objects)
            return
        }
        for (q, a) in zip(queries, answers) {
            if queries.count > 1 { print("question: \(TaskCommand.quoted(q.question))") }
            guard let a else { print("  (no answer)"); continue }
            print("  \(TaskCommand.format(a.score))  \(TaskCommand.quoted(a.text))  chars [\(a.start), \(a.end)) window \(a.window + 1)")
        }
    }
}
