import Foundation
import MBFormat

/// Reads a Hugging Face ModernBERT `config.json` in either dialect into a `ModelConfig`.
///
/// transformers 4.x writes `global_rope_theta`, `local_rope_theta` and `global_attn_every_n_layers`;
/// 5.x writes `layer_types` and `rope_parameters`; some files carry both. Precedence follows
/// transformers 5.x's `ModernBertConfig`: `layer_types` wins over the interval, and a theta inside
/// `rope_parameters` wins over the legacy keys, which only fill in what is missing.
public enum HFConfigReader {
    public static func read(contentsOf url: URL) throws -> ModelConfig {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ConversionError.missingFile(path: url.path, hint: "A Hugging Face model directory needs config.json.")
        }
        return try parse(data, path: url.path)
    }

    public static func parse(_ data: Data, path: String) throws -> ModelConfig {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw ConversionError.badConfig(path: path, why: "not valid JSON (\(error.localizedDescription))")
        }
        guard let json = object as? [String: Any] else {
            throw ConversionError.badConfig(path: path, why: "the top level is not a JSON object")
        }
        var fields = Fields(json: json, path: path)
        let config = try fields.config()
        do { try config.validate() } catch let error as ConfigError {
            throw ConversionError.badConfig(path: path, why: error.description)
        }
        return config
    }
}

/// Typed access to config keys with transformers' defaults and precise errors.
private struct Fields {
    let json: [String: Any]
    let path: String

    func fail(_ why: String) -> ConversionError { .badConfig(path: path, why: why) }

    func int(_ key: String, default value: Int) throws -> Int {
        guard let raw = json[key], !(raw is NSNull) else { return value }
        guard let n = FoundationJSON.integer(raw) else { throw fail("\(key) must be an integer, got \(raw)") }
        return n
    }

    func double(_ key: String, default value: Double) throws -> Double {
        guard let raw = json[key], !(raw is NSNull) else { return value }
        guard let n = FoundationJSON.number(raw) else { throw fail("\(key) must be a number, got \(raw)") }
        return n.doubleValue
    }

    func bool(_ key: String, default value: Bool) throws -> Bool {
        guard let raw = json[key], !(raw is NSNull) else { return value }
        guard FoundationJSON.isBool(raw), let b = raw as? Bool else { throw fail("\(key) must be true or false, got \(raw)") }
        return b
    }

    func string(_ key: String) throws -> String? {
        guard let raw = json[key], !(raw is NSNull) else { return nil }
        guard let s = raw as? String else { throw fail("\(key) must be a string, got \(raw)") }
        return s
    }

    func activation(_ key: String) throws -> Activation {
        let name = try string(key) ?? "gelu"
        guard let act = Activation(rawValue: name) else {
            throw fail("unknown activation \"\(name)\" in \(key); supported: "
                + Activation.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return act
    }

    mutating func config() throws -> ModelConfig {
        if let type = try string("model_type"), type != "modernbert" {
            throw fail("model_type is \"\(type)\", not \"modernbert\"")
        }
        let architecture = try readArchitecture()
        let layers = try int("num_hidden_layers", default: 22)
        let layerTypes = try readLayerTypes(layers: layers)
        let (globalTheta, localTheta) = try readRopeThetas()
        let (numLabels, labels) = try readLabels()
        let pooling = try string("classifier_pooling") ?? "cls"
        guard let classifierPooling = ModelConfig.Pooling(rawValue: pooling) else {
            throw fail("classifier_pooling must be \"cls\" or \"mean\", got \"\(pooling)\"")
        }
        return ModelConfig(
            architecture: architecture,
            vocabSize: try int("vocab_size", default: 50368),
            hiddenSize: try int("hidden_size", default: 768),
            intermediateSize: try int("intermediate_size", default: 1152),
            numLayers: layers,
            numHeads: try int("num_attention_heads", default: 12),
            maxPositions: try int("max_position_embeddings", default: 8192),
            localAttention: try int("local_attention", default: 128),
            layerTypes: layerTypes,
            globalRopeTheta: globalTheta,
            localRopeTheta: localTheta,
            normEps: try double("norm_eps", default: 1e-5),
            normBias: try bool("norm_bias", default: false),
            attentionBias: try bool("attention_bias", default: false),
            mlpBias: try bool("mlp_bias", default: false),
            hiddenActivation: try activation("hidden_activation"),
            classifierActivation: try activation("classifier_activation"),
            classifierBias: try bool("classifier_bias", default: false),
            classifierPooling: classifierPooling,
            decoderBias: try bool("decoder_bias", default: true),
            tieWordEmbeddings: try bool("tie_word_embeddings", default: true),
            numLabels: numLabels,
            labels: labels,
            problemType: try string("problem_type"),
            padTokenId: try optionalInt("pad_token_id"),
            clsTokenId: try optionalInt("cls_token_id"),
            sepTokenId: try optionalInt("sep_token_id"))
    }

    func optionalInt(_ key: String) throws -> Int? {
        guard let raw = json[key], !(raw is NSNull) else { return nil }
        return try int(key, default: 0)
    }

    func readArchitecture() throws -> ModelConfig.Architecture {
        guard let raw = json["architectures"], !(raw is NSNull) else { return .base }
        guard let names = raw as? [String], let first = names.first else {
            throw fail("architectures must be a non-empty list of class names")
        }
        guard let arch = ModelConfig.Architecture(rawValue: first) else {
            throw ConversionError.unsupportedArchitecture(path: path, name: first)
        }
        return arch
    }

    func readLayerTypes(layers: Int) throws -> [ModelConfig.AttentionKind] {
        if let raw = json["layer_types"], !(raw is NSNull) {
            guard let names = raw as? [String] else { throw fail("layer_types must be a list of strings") }
            return try names.enumerated().map { index, name in
                guard let kind = ModelConfig.AttentionKind(rawValue: name) else {
                    throw fail("layer_types[\(index)] is \"\(name)\"; expected \"full_attention\" or \"sliding_attention\"")
                }
                return kind
            }
        }
        let every = try int("global_attn_every_n_layers", default: 3)
        guard every > 0 else { throw fail("global_attn_every_n_layers must be positive, got \(every)") }
        guard layers >= 0, layers < 100_000 else { throw fail("num_hidden_layers \(layers) is out of range") }
        return (0..<layers).map { $0 % every == 0 ? .global : .local }
    }

    /// rope_parameters per layer type (5.x), a flat rope_parameters, or the legacy theta keys (4.x).
    func readRopeThetas() throws -> (Double, Double) {
        if let scaling = json["rope_scaling"], !(scaling is NSNull) {
            throw fail("rope_scaling is set (\(scaling)); only default rotary embeddings are supported")
        }
        var global = try double("global_rope_theta", default: 160_000)
        var local = try double("local_rope_theta", default: 10_000)
        guard let raw = json["rope_parameters"], !(raw is NSNull) else { return (global, local) }
        guard let params = raw as? [String: Any] else { throw fail("rope_parameters must be an object") }
        func theta(from entry: Any?, label: String) throws -> Double? {
            guard let entry, !(entry is NSNull) else { return nil }
            guard let dict = entry as? [String: Any] else { throw fail("rope_parameters.\(label) must be an object") }
            if let type = dict["rope_type"] as? String, type != "default" {
                throw fail("rope_parameters.\(label).rope_type is \"\(type)\"; only \"default\" is supported")
            }
            guard let t = dict["rope_theta"], !(t is NSNull) else { return nil }
            guard let n = FoundationJSON.number(t) else { throw fail("rope_parameters.\(label).rope_theta must be a number") }
            return n.doubleValue
        }
        if params["full_attention"] != nil || params["sliding_attention"] != nil {
            global = try theta(from: params["full_attention"], label: "full_attention") ?? global
            local = try theta(from: params["sliding_attention"], label: "sliding_attention") ?? local
        } else if let flat = try theta(from: params, label: "") {
            (global, local) = (flat, flat)
        }
        return (global, local)
    }

    func readLabels() throws -> (Int, [String]?) {
        if let raw = json["id2label"], !(raw is NSNull) {
            guard let map = raw as? [String: Any] else { throw fail("id2label must be an object") }
            var names = [String?](repeating: nil, count: map.count)
            for (key, value) in map {
                guard let index = Int(key), index >= 0, index < map.count else {
                    throw fail("id2label key \"\(key)\" is not an index in 0..<\(map.count)")
                }
                names[index] = "\(value)"
            }
            let labels = names.compactMap { $0 }
            guard labels.count == map.count else { throw fail("id2label has repeated indices") }
            if let raw = json["num_labels"], let declared = FoundationJSON.integer(raw), declared != labels.count {
                throw fail("num_labels is \(declared) but id2label has \(labels.count) entries")
            }
            return (labels.count, labels)
        }
        return (try int("num_labels", default: 2), nil)
    }
}
