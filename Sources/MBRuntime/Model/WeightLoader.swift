import MBFormat

/// Resolves the tensors a config needs from a model file, refusing files whose tensors and config disagree.
struct WeightLoader {
    let file: ModelFile
    var mode: ExecutionMode = .w8a32
    var overrides: WeightOverrides?
    /// int8 matrices that run weight-only even in W8A8 (the file's recorded choice).
    var weightOnly: Set<String> = []
    var observer: LinearInputObserver?
    private var path: String { file.url.path }

    init(file: ModelFile, mode: ExecutionMode = .w8a32, overrides: WeightOverrides? = nil, weightOnly: Set<String> = [],
         observer: LinearInputObserver? = nil) throws {
        self.file = file
        self.mode = mode
        self.overrides = overrides
        self.weightOnly = weightOnly
        self.observer = observer
        for spec in ModelTensors.expected(for: file.config) {
            guard let r = file.record(spec.name) else { throw ModelError.missingTensor(path: path, tensor: spec.name) }
            guard r.shape == spec.shape else {
                throw ModelError.wrongShape(path: path, tensor: spec.name, expected: spec.shape, actual: r.shape)
            }
        }
    }

    /// Whether the file (or an override) has a matrix of that name.
    func hasMatrix(_ name: String) -> Bool { overrides?.matrix(name) != nil || file.record(name) != nil }

    func matrix(_ name: String) throws -> WeightMatrix {
        if let replaced = overrides?.matrix(name) { return replaced }
        guard let r = file.record(name) else { throw ModelError.missingTensor(path: path, tensor: name) }
        return try WeightMatrix(file: file, record: r)
    }

    /// The token embedding table, read row by row from the file unless overridden.
    func embeddings(_ name: String) throws -> EmbeddingTable {
        EmbeddingTable(matrix: try matrix(name), file: file, name: name, overridden: overrides?.matrix(name) != nil)
    }

    /// A 1-D tensor as fp32 (norm weights and biases are small, so they are copied).
    func vector(_ name: String) throws -> [Float] {
        guard let r = file.record(name) else { throw ModelError.missingTensor(path: path, tensor: name) }
        guard r.quantization == .none, let values = FloatDecoding.floats(from: file.bytes(of: r), dtype: r.dtype) else {
            throw ModelError.unsupportedStorage(path: path, tensor: name, what: "vectors must be F32, F16 or BF16")
        }
        return values
    }

    func optionalVector(_ name: String, if present: Bool) throws -> [Float]? {
        present ? try vector(name) : nil
    }

    func linear(_ prefix: String, bias: Bool) throws -> Linear {
        try linear(weight: "\(prefix).weight", bias: try optionalVector("\(prefix).bias", if: bias))
    }

    /// A linear layer on the matrix `name`, run as the mode and the weight-only list say.
    func linear(weight name: String, bias: [Float]?, matrix given: WeightMatrix? = nil, reportingAs label: String? = nil) throws -> Linear {
        Linear(weight: try given ?? matrix(name), bias: bias, mode: weightOnly.contains(name) ? .w8a32 : mode,
               name: label ?? name, observer: observer)
    }

    func norm(_ prefix: String) throws -> Norm {
        let c = file.config
        return Norm(weight: try vector("\(prefix).weight"), bias: try optionalVector("\(prefix).bias", if: c.normBias),
                    eps: Float(c.normEps))
    }
}
