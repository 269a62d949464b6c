import Foundation
import MBFormat

/// Readers for the config files of the sentence-transformers modules mbconvert reproduces.
enum SentenceTransformersModules {
    enum Kind: String {
        case transformer = "Transformer", pooling = "Pooling", dense = "Dense", dropout = "Dropout", normalize = "Normalize"

        /// Old (`sentence_transformers.models.Pooling`, 2.x-5.x) and current
        /// (`sentence_transformers.sentence_transformer.modules.pooling.Pooling`, 6.x) type names.
        init?(type: String) {
            guard type.hasPrefix("sentence_transformers."), let last = type.split(separator: ".").last,
                  let kind = Kind(rawValue: String(last)) else { return nil }
            self = kind
        }
    }

    struct Pooling {
        var modes: [SentencePooling]
        var includePrompt: Bool
        var dimension: Int?
    }

    /// The legacy boolean keys, in the order sentence-transformers concatenates their vectors.
    static let legacyPoolingKeys: [(key: String, mode: SentencePooling)] = [
        ("pooling_mode_cls_token", .cls), ("pooling_mode_max_tokens", .max), ("pooling_mode_mean_tokens", .mean),
        ("pooling_mode_mean_sqrt_len_tokens", .meanSqrtLen), ("pooling_mode_weightedmean_tokens", .weightedMean),
        ("pooling_mode_lasttoken", .lastToken),
    ]

    /// `1_Pooling/config.json`: `"pooling_mode": "mean"` or a list (6.x), or the `pooling_mode_*_tokens`
    /// booleans (2.x-5.x; none set means mean, as 6.x reads them).
    static func readPooling(_ url: URL) throws -> Pooling {
        let json = try object(url, missing: "modules.json names a Pooling module here.")
        func fail(_ why: String) -> ConversionError { .badConfig(path: url.path, why: why) }
        var modes: [SentencePooling]
        if let value = json["pooling_mode"] {
            let names: [String]
            if let one = value as? String { names = [one] } else if let many = value as? [String] { names = many } else {
                throw fail("pooling_mode must be a mode name or a list of them")
            }
            modes = try names.map { name in
                guard let mode = SentencePooling(rawValue: name) else {
                    throw fail("pooling mode '\(name)' is unknown; sentence-transformers has "
                        + SentencePooling.allCases.map(\.rawValue).joined(separator: ", "))
                }
                return mode
            }
            guard !modes.isEmpty else { throw fail("pooling_mode is an empty list") }
        } else {
            for (key, _) in legacyPoolingKeys where json[key] != nil && !(json[key] is Bool) {
                throw fail("\(key) must be true or false")
            }
            modes = legacyPoolingKeys.filter { json[$0.key] as? Bool == true }.map(\.mode)
            if modes.isEmpty { modes = [.mean] }
        }
        let include = json["include_prompt"] ?? true
        guard let includePrompt = include as? Bool else { throw fail("include_prompt must be true or false") }
        let dimension = (json["embedding_dimension"] ?? json["word_embedding_dimension"]) as? Int
        return Pooling(modes: modes, includePrompt: includePrompt, dimension: dimension)
    }

    /// `k_Dense/config.json` and the shape of its weights in `k_Dense/model.safetensors`.
    static func readDense(_ directory: URL) throws -> SentenceEmbeddingConfig.Dense {
        let url = directory.appendingPathComponent("config.json")
        let json = try object(url, missing: "modules.json names a Dense module here.")
        func fail(_ why: String) -> ConversionError { .badConfig(path: url.path, why: why) }
        guard let inFeatures = json["in_features"] as? Int, let outFeatures = json["out_features"] as? Int,
              inFeatures > 0, outFeatures > 0 else {
            throw fail("in_features and out_features must be positive integers")
        }
        guard let bias = (json["bias"] ?? true) as? Bool, let residual = (json["use_residual"] ?? false) as? Bool else {
            throw fail("bias and use_residual must be true or false")
        }
        for key in ["module_input_name", "module_output_name"] {
            if let name = json[key], name as? String != "sentence_embedding" {
                throw fail("\(key) is \(name); only Dense modules on the sentence embedding are supported")
            }
        }
        // sentence-transformers' default when the key is absent is Tanh.
        let path = (json["activation_function"] ?? "torch.nn.modules.activation.Tanh") as? String ?? ""
        let torchClass = path.split(separator: ".").last.map(String.init) ?? ""
        guard path.hasPrefix("torch.nn."), let activation = DenseActivation(torchClass: torchClass) else {
            throw fail("activation_function '\(path)' is not supported; supported: torch.nn Identity, Tanh, Sigmoid, ReLU, GELU, SiLU")
        }
        let weights = directory.appendingPathComponent(SafeTensorsCheckpoint.singleFileName)
        if !FileManager.default.fileExists(atPath: weights.path) {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("pytorch_model.bin").path) {
                throw ConversionError.unreadable(path: directory.appendingPathComponent("pytorch_model.bin").path,
                    why: "Dense weights are only read from safetensors (a .bin file is a pickle, which can run code); "
                        + "re-save the model with sentence-transformers >= 2.3: "
                        + "`SentenceTransformer(dir).save(dir, safe_serialization=True)` writes \(directory.lastPathComponent)/model.safetensors")
            }
            throw ConversionError.missingFile(path: weights.path, hint: "A Dense module's weights (linear.weight, linear.bias).")
        }
        return SentenceEmbeddingConfig.Dense(inFeatures: inFeatures, outFeatures: outFeatures, bias: bias,
                                             activation: activation, residual: residual)
    }

    struct Limits {
        var maxSeqLength: Int?
        var tokenizerMaxLength: Int?
    }

    /// `sentence_bert_config.json` (`max_seq_length`, `do_lower_case`, 6.x's `transformer_task`) and the
    /// tokenizer's `model_max_length` (where 6.x saves `max_seq_length`).
    static func readTransformerLimits(_ directory: URL) throws -> Limits {
        var limits = Limits()
        let url = directory.appendingPathComponent("sentence_bert_config.json")
        if FileManager.default.fileExists(atPath: url.path) {
            let json = try object(url, missing: "")
            if let value = json["max_seq_length"], !(value is NSNull) {
                guard let n = value as? Int, n > 0 else {
                    throw ConversionError.badConfig(path: url.path, why: "max_seq_length must be a positive integer")
                }
                limits.maxSeqLength = n
            }
            if json["do_lower_case"] as? Bool == true {
                throw ConversionError.badConfig(path: url.path,
                    why: "do_lower_case: true is not supported (it adds a Lowercase normalizer to the tokenizer); ModernBERT models save false")
            }
            // 6.x: the module runs the model's forward and passes on last_hidden_state as token embeddings.
            if let task = json["transformer_task"] as? String, task != "feature-extraction" {
                throw ConversionError.badConfig(path: url.path, why: "transformer_task '\(task)' is not supported (only feature-extraction)")
            }
            let text = (json["modality_config"] as? [String: Any])?["text"] as? [String: Any]
            if let output = text?["method_output_name"] as? String, output != "last_hidden_state" {
                throw ConversionError.badConfig(path: url.path, why: "modality_config.text.method_output_name '\(output)' is not supported (only last_hidden_state)")
            }
        }
        let tokenizerConfig = directory.appendingPathComponent("tokenizer_config.json")
        // An integer, or a huge float (1e30) meaning "no limit".
        if FileManager.default.fileExists(atPath: tokenizerConfig.path),
           let value = (try? object(tokenizerConfig, missing: ""))?["model_max_length"],
           let n = (value as? Int).map(Double.init) ?? (value as? Double), n >= 1, n < 1e9 {
            limits.tokenizerMaxLength = Int(n)
        }
        return limits
    }

    struct Prompts {
        var prompts: [String: String] = [:]
        var defaultPrompt: String?
        var similarity: String?
    }

    /// `config_sentence_transformers.json`: `prompts`, `default_prompt_name`, `similarity_fn_name`.
    static func readPrompts(_ url: URL) throws -> Prompts {
        guard FileManager.default.fileExists(atPath: url.path) else { return Prompts() }
        let json = try object(url, missing: "")
        func fail(_ why: String) -> ConversionError { .badConfig(path: url.path, why: why) }
        var out = Prompts()
        if let value = json["prompts"], !(value is NSNull) {
            guard let prompts = value as? [String: String] else { throw fail("prompts must map names to strings") }
            out.prompts = prompts
        }
        if let value = json["default_prompt_name"], !(value is NSNull) {
            guard let name = value as? String, out.prompts[name] != nil else {
                throw fail("default_prompt_name \(value) is not one of the prompts (\(out.prompts.keys.sorted().joined(separator: ", ")))")
            }
            out.defaultPrompt = name
        }
        out.similarity = json["similarity_fn_name"] as? String
        return out
    }

    private static func object(_ url: URL, missing hint: String) throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ConversionError.missingFile(path: url.path, hint: hint)
        }
        guard let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ConversionError.badConfig(path: url.path, why: "not a JSON object")
        }
        return json
    }
}
