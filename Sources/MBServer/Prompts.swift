import MBRuntime

/// sentence-transformers prompts on the embedding routes (TEI's `prompt_name`): the text a named
/// prompt stands for goes in front of every text input before tokenization, as `mbconvert embed
/// --prompt-name` does; without `prompt_name` the model's default prompt applies, if it has one.
extension InferenceService {
    /// The prompt to prepend: the model's prompt called `name`, or its default prompt when `name` is nil.
    func prompt(named name: String?) throws -> String? {
        let embedder = served.embedder
        guard let name else { return embedder?.prompt }
        let prompts = embedder?.prompts ?? [:]
        guard let text = prompts[name] else {
            let known = prompts.isEmpty ? "the model has no prompts"
                : "the model's prompts: " + prompts.keys.sorted().joined(separator: ", ")
            throw APIError(.validation, "`prompt_name` is `\(name)`, which is not a prompt of this model; \(known)")
        }
        return text
    }
}

extension Array where Element == ModelInput {
    /// Text inputs with `prompt` in front (the first text of a pair); token ids are used as given.
    func prefixed(with prompt: String?) -> [ModelInput] {
        guard let prompt, !prompt.isEmpty else { return self }
        return map { input in
            switch input {
            case .text(let text): return .text(prompt + text)
            case .pair(let first, let second): return .pair(prompt + first, second)
            case .ids: return input
            }
        }
    }

    /// Whether every input is text, so that a prompt's tokens lead every sequence.
    var allText: Bool { allSatisfy { if case .ids = $0 { return false } else { return true } } }
}
