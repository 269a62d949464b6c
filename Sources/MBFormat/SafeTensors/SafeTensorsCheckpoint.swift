import Foundation

/// The weights of a Hugging Face checkpoint directory, single-file or sharded.
///
/// Hugging Face saves small models as `model.safetensors` and large ones as several
/// `model-0000k-of-0000n.safetensors` shards plus `model.safetensors.index.json`, whose
/// `weight_map` says which shard holds each tensor. This type hides the difference: it opens
/// each shard once (memory-mapped) and answers by tensor name. The index is cross-checked
/// against the shards so that a stale or hand-edited index fails loudly at open time,
/// naming the index file and the tensor, rather than as a missing weight later.
public final class SafeTensorsCheckpoint: @unchecked Sendable {
    public static let singleFileName = "model.safetensors"
    public static let indexFileName = "model.safetensors.index.json"

    public let directory: URL
    /// The opened files, in the order they were first listed (one for an unsharded checkpoint).
    public let files: [SafeTensorsFile]
    /// The index file, when the checkpoint is sharded.
    public let indexURL: URL?
    /// The index's free-form `metadata` object (for example `total_size`), as strings.
    public let indexMetadata: [String: String]

    private let fileByTensor: [String: SafeTensorsFile]

    /// Opens the checkpoint in `directory`. Throws `SafeTensorsError`.
    public init(directory: URL) throws {
        self.directory = directory
        let fileManager = FileManager.default
        let indexURL = directory.appendingPathComponent(Self.indexFileName)
        let singleURL = directory.appendingPathComponent(Self.singleFileName)

        if fileManager.fileExists(atPath: indexURL.path) {
            let index = try Self.readIndex(indexURL)
            var filesByShard: [String: SafeTensorsFile] = [:]
            var files: [SafeTensorsFile] = []
            var fileByTensor: [String: SafeTensorsFile] = [:]
            for (tensor, shard) in index.weightMap {
                if filesByShard[shard] == nil {
                    let shardURL = directory.appendingPathComponent(shard)
                    guard fileManager.fileExists(atPath: shardURL.path) else {
                        throw SafeTensorsError.shardMissing(indexPath: indexURL.path, shard: shard, tensor: tensor)
                    }
                    let file = try SafeTensorsFile(url: shardURL)
                    filesByShard[shard] = file
                    files.append(file)
                    // Every tensor a shard holds is exposed, listed in the index or not, so a
                    // tensor stored twice is caught even if the index mentions only one copy.
                    for info in file.orderedTensors {
                        if let other = fileByTensor[info.name] {
                            throw SafeTensorsError.tensorInTwoShards(tensor: info.name, first: other.url.path, second: shardURL.path)
                        }
                        fileByTensor[info.name] = file
                    }
                }
                guard let file = filesByShard[shard], file.tensors[tensor] != nil else {
                    throw SafeTensorsError.tensorMissingFromShard(indexPath: indexURL.path, shard: shard, tensor: tensor)
                }
            }
            self.files = files
            self.fileByTensor = fileByTensor
            self.indexURL = indexURL
            self.indexMetadata = index.metadata
        } else if fileManager.fileExists(atPath: singleURL.path) {
            let file = try SafeTensorsFile(url: singleURL)
            self.files = [file]
            self.fileByTensor = Dictionary(file.orderedTensors.map { ($0.name, file) }, uniquingKeysWith: { first, _ in first })
            self.indexURL = nil
            self.indexMetadata = [:]
        } else {
            throw SafeTensorsError.noCheckpoint(directory: directory.path)
        }
    }

    /// All tensor names, sorted.
    public var names: [String] { fileByTensor.keys.sorted() }

    public func info(_ name: String) -> SafeTensorInfo? { fileByTensor[name]?.tensors[name] }

    /// The file holding `name`, for error messages ("tensor x in model-00002-of-00003.safetensors").
    public func file(containing name: String) -> SafeTensorsFile? { fileByTensor[name] }

    /// The URL of the file holding `name`.
    public func source(of name: String) -> URL? { fileByTensor[name]?.url }

    /// The tensor's stored bytes; valid while this checkpoint is alive.
    public func rawBytes(_ name: String) throws -> UnsafeRawBufferPointer {
        try requireFile(name).rawBytes(name)
    }

    /// The tensor's values widened to `Float` (F32, F16, BF16 only).
    public func floats(_ name: String) throws -> [Float] {
        try requireFile(name).floats(name)
    }

    private func requireFile(_ name: String) throws -> SafeTensorsFile {
        guard let file = fileByTensor[name] else {
            throw SafeTensorsError.tensorNotFound(path: (indexURL ?? directory).path, tensor: name)
        }
        return file
    }

    private struct Index {
        /// (tensor, shard file name) in file order, so errors are reproducible run to run.
        var weightMap: [(String, String)]
        var metadata: [String: String]
    }

    private static func readIndex(_ url: URL) throws -> Index {
        let path = url.path
        let mapping = try MappedFile(path: path)
        guard mapping.bytes.count <= SafeTensorsHeader.maxHeaderLength else {
            throw SafeTensorsError.invalidIndex(path: path, problem: "the file is larger than \(SafeTensorsHeader.maxHeaderLength) bytes")
        }
        let root: JSONValue
        do {
            root = try HeaderJSONParser.parse(Array(mapping.bytes))
        } catch let failure as JSONParseFailure {
            throw SafeTensorsError.invalidIndex(path: path, problem: "not valid JSON (\(failure.message) at byte \(failure.offset))")
        }
        guard case .object(let members) = root else {
            throw SafeTensorsError.invalidIndex(path: path, problem: "expected a JSON object, found \(root.typeDescription)")
        }
        guard let weightMapValue = members.last(where: { $0.key == "weight_map" })?.value else {
            throw SafeTensorsError.invalidIndex(path: path, problem: "no \"weight_map\" object")
        }
        guard case .object(let entries) = weightMapValue else {
            throw SafeTensorsError.invalidIndex(path: path, problem: "\"weight_map\" should be an object, found \(weightMapValue.typeDescription)")
        }
        var weightMap: [(String, String)] = []
        var seen = Set<String>()
        for (tensor, value) in entries {
            guard case .string(let shard) = value else {
                throw SafeTensorsError.invalidIndex(path: path, problem: "tensor '\(tensor)' maps to \(value.typeDescription), not a file name")
            }
            guard !shard.isEmpty, !shard.contains("/"), shard != ".", shard != ".." else {
                throw SafeTensorsError.invalidIndex(path: path, problem: "tensor '\(tensor)' maps to '\(shard)', which is not a file name in the checkpoint directory")
            }
            guard seen.insert(tensor).inserted else {
                throw SafeTensorsError.invalidIndex(path: path, problem: "tensor '\(tensor)' is listed twice in \"weight_map\"")
            }
            weightMap.append((tensor, shard))
        }
        var metadata: [String: String] = [:]
        if case .object(let items)? = members.last(where: { $0.key == "metadata" })?.value {
            for (key, value) in items {
                switch value {
                case .string(let text): metadata[key] = text
                case .number(let text): metadata[key] = text
                case .bool(let flag): metadata[key] = String(flag)
                default: continue
                }
            }
        }
        return Index(weightMap: weightMap, metadata: metadata)
    }
}
