import Foundation
import MBFormat

/// The parts of a sentence-transformers directory that change what an embedding is.
///
/// A sentence-transformers model is a Hugging Face transformer in the top directory plus a
/// `modules.json` pipeline, typically Transformer -> Pooling -> Normalize. mbconvert runs the
/// transformer itself; this reader records the pooling (`1_Pooling/config.json`) and whether a
/// `Normalize` module follows, so `Embedder` reproduces `SentenceTransformer.encode` by default.
public struct SentenceTransformersConfig: Equatable, Sendable {
    public var pooling: ModelConfig.Pooling
    public var normalize: Bool

    public init(pooling: ModelConfig.Pooling, normalize: Bool) {
        self.pooling = pooling
        self.normalize = normalize
    }

    /// Reads `modules.json` in `directory`; nil when the directory is not a sentence-transformers model.
    /// - Throws: `ConversionError.badConfig` for pooling modes mbconvert cannot reproduce (max, last token,
    ///   weighted mean, mean-sqrt-len), dense layers, or malformed files.
    public static func read(directory: URL) throws -> SentenceTransformersConfig? {
        let modulesURL = directory.appendingPathComponent("modules.json")
        guard let data = FileManager.default.contents(atPath: modulesURL.path) else { return nil }
        let path = modulesURL.path
        guard let modules = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]] else {
            throw ConversionError.badConfig(path: path, why: "expected a JSON list of {\"path\", \"type\"} modules")
        }
        var pooling: ModelConfig.Pooling?
        var normalize = false
        for module in modules {
            let type = module["type"] as? String ?? ""
            let name = type.split(separator: ".").last.map(String.init) ?? type
            switch name {
            case "Transformer":
                continue
            case "Pooling":
                let sub = module["path"] as? String ?? "1_Pooling"
                pooling = try readPooling(directory.appendingPathComponent(sub).appendingPathComponent("config.json"))
            case "Normalize":
                normalize = true
            default:
                throw ConversionError.badConfig(path: path, why: "module \(type) is not supported (only Transformer, Pooling, Normalize)")
            }
        }
        guard let pooling else {
            throw ConversionError.badConfig(path: path, why: "no sentence_transformers.models.Pooling module")
        }
        return SentenceTransformersConfig(pooling: pooling, normalize: normalize)
    }

    private static func readPooling(_ url: URL) throws -> ModelConfig.Pooling {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ConversionError.missingFile(path: url.path, hint: "modules.json names a Pooling module here.")
        }
        guard let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ConversionError.badConfig(path: url.path, why: "not a JSON object")
        }
        let enabled = json.filter { $0.key.hasPrefix("pooling_mode_") && ($0.value as? Bool) == true }.map(\.key).sorted()
        switch enabled {
        case ["pooling_mode_cls_token"]: return .cls
        case ["pooling_mode_mean_tokens"]: return .mean
        default:
            throw ConversionError.badConfig(path: url.path,
                why: "pooling modes \(enabled) are not supported; exactly one of pooling_mode_cls_token, pooling_mode_mean_tokens must be true")
        }
    }
}
