import MBFormat

/// Storage chosen for one tensor.
public enum Precision: String, Sendable, CaseIterable, Codable {
    case f32, f16, int8
}

/// Which precision each tensor of a model gets.
///
/// Rules, in order:
/// 1. vectors (norm weights, biases) stay f32: they are tiny and feed sums directly;
/// 2. a matrix matching a `--keep` pattern gets `keepPrecision`;
/// 3. the token embedding table (and an untied MLM decoder) gets `embeddings`;
/// 4. every other matrix (a linear layer's weight) gets the target.
public struct QuantizationPlan: Sendable, Equatable {
    public enum Target: String, Sendable, CaseIterable {
        case int8, fp16
    }

    public struct Options: Sendable, Equatable {
        public var target: Target
        /// Token embeddings (and an untied decoder). int8 per row by default: see Docs/quantization.md.
        public var embeddings: Precision
        /// Glob patterns (`*` matches anything) over tensor names, with or without `.weight`.
        public var keep: [String]
        public var keepPrecision: Precision
        /// A tied MLM decoder stored as its own tensor (`decoder.weight`) at this precision, apart from the
        /// lookup table; nil shares the table (one copy of the bytes).
        public var decoder: Precision?

        public init(target: Target, embeddings: Precision? = nil, keep: [String] = [], keepPrecision: Precision = .f16,
                    decoder: Precision? = nil) {
            self.target = target
            self.embeddings = embeddings ?? (target == .int8 ? .int8 : .f16)
            self.keep = keep
            self.keepPrecision = keepPrecision
            self.decoder = decoder
        }
    }

    public let options: Options
    /// Precision per tensor name, for every tensor the config implies.
    public private(set) var precision: [String: Precision]
    /// Tensor names in file order.
    public let order: [String]

    public static let embeddingNames: Set<String> = ["embeddings.tok_embeddings.weight", "decoder.weight"]

    /// The tensors a plan writes: the config's, plus a tied decoder stored on its own when `decoder` asks.
    public static func specs(for config: ModelConfig, options: Options) -> [ModelTensors.Spec] {
        var specs = ModelTensors.expected(for: config)
        if options.decoder != nil, config.architecture == .maskedLM, config.tieWordEmbeddings {
            specs.append(ModelTensors.Spec(name: "decoder.weight", shape: [config.vocabSize, config.hiddenSize]))
        }
        return specs
    }

    public init(config: ModelConfig, options: Options) {
        self.options = options
        let specs = Self.specs(for: config, options: options)
        order = specs.map(\.name)
        let linear: Precision = options.target == .int8 ? .int8 : .f16
        var precision: [String: Precision] = [:]
        for spec in specs {
            if !spec.isMatrix {
                precision[spec.name] = .f32
            } else if options.keep.contains(where: { Self.matches(pattern: $0, name: spec.name) }) {
                precision[spec.name] = options.keepPrecision
            } else if spec.name == "decoder.weight", let decoder = options.decoder, config.tieWordEmbeddings {
                precision[spec.name] = decoder
            } else if Self.embeddingNames.contains(spec.name) {
                precision[spec.name] = options.embeddings
            } else {
                precision[spec.name] = linear
            }
        }
        self.precision = precision
    }

    /// Matrices stored as int8: the candidates `--auto` ranks.
    public var int8Tensors: [String] { order.filter { precision[$0] == .int8 } }

    /// Sets one tensor's precision (used by `--auto` to keep sensitive layers).
    public mutating func set(_ name: String, _ p: Precision) {
        precondition(precision[name] != nil, "unknown tensor \(name)")
        precision[name] = p
    }

    /// `*` matches any run of characters; a pattern also matches a name's prefix before `.weight`.
    public static func matches(pattern: String, name: String) -> Bool {
        glob(Array(pattern.utf8)[...], Array(name.utf8)[...])
            || (name.hasSuffix(".weight") && glob(Array(pattern.utf8)[...], Array(name.dropLast(7).utf8)[...]))
    }

    private static func glob(_ p: ArraySlice<UInt8>, _ s: ArraySlice<UInt8>) -> Bool {
        guard let first = p.first else { return s.isEmpty }
        if first == UInt8(ascii: "*") {
            var rest = s
            while true {
                if glob(p.dropFirst(), rest) { return true }
                if rest.isEmpty { return false }
                rest = rest.dropFirst()
            }
        }
        guard let c = s.first, c == first else { return false }
        return glob(p.dropFirst(), s.dropFirst())
    }
}
