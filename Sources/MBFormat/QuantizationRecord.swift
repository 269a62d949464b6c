/// What `mbconvert quantize --int8` measured and decided, stored in the `QREC` section (since 1.2;
/// Formats/model-file.md): the execution mode runs use when the caller names none, why, every
/// candidate's figures on the calibration texts, and the per-matrix smoothing choices.
///
/// Only `defaultMode` and `weightOnly` change how a file runs; the rest is the evidence, for
/// `mbconvert inspect`. The smoothing itself lives in the tensors (folded into earlier layers, or
/// quantization code 2), so a reader that ignores this section still computes the right model.
public struct QuantizationRecord: Codable, Sendable, Equatable {
    /// Layout version of this JSON (1).
    public var version: Int
    /// `w8a8` or `w8a32`: the mode `ModernBert(contentsOf:)` and every command use without `--mode`.
    public var defaultMode: String
    /// int8 matrices (tensor names) that run weight-only when the default mode is w8a8.
    public var weightOnly: [String]
    /// One sentence: why this mode.
    public var reason: String
    public var calibration: Calibration
    /// Limits a candidate had to meet (the validator's metric names and limits).
    public var thresholds: [Threshold]
    /// Every candidate measured, fastest first.
    public var candidates: [Candidate]
    /// Per int8 matrix: the smoothing chosen and its measured effect.
    public var smoothing: [Smoothing]

    public struct Calibration: Codable, Sendable, Equatable {
        /// Where the texts came from (`built-in text set (72 texts)`, or a file name).
        public var source: String
        public var sequences: Int
        public var tokens: Int
        public var maskedPositions: Int

        public init(source: String, sequences: Int, tokens: Int, maskedPositions: Int) {
            self.source = source; self.sequences = sequences; self.tokens = tokens; self.maskedPositions = maskedPositions
        }
    }

    public struct Threshold: Codable, Sendable, Equatable {
        public var metric: String
        /// `>=` or `<=`.
        public var op: String
        public var limit: Double

        public init(metric: String, op: String, limit: Double) {
            self.metric = metric; self.op = op; self.limit = limit
        }
    }

    public struct Candidate: Codable, Sendable, Equatable {
        /// Short name, e.g. `w8a8 smoothed`.
        public var name: String
        /// `w8a8` or `w8a32`.
        public var mode: String
        /// Whether the candidate's weights are the smoothed ones (this file's, when it is chosen).
        public var smoothed: Bool
        public var weightOnly: [String]
        /// Matrices stored in fp16 instead of int8.
        public var keptF16: [String]
        /// 0 fastest: all int8 matrices W8A8; 1: W8A8 encoder, some head matrices weight-only; 2: weight-only.
        public var speedClass: Int
        /// The validator's metrics (report keys) on the calibration texts.
        public var metrics: [String: Double]
        public var passes: Bool
        public var chosen: Bool

        public init(name: String, mode: String, smoothed: Bool, weightOnly: [String], keptF16: [String], speedClass: Int,
                    metrics: [String: Double], passes: Bool, chosen: Bool) {
            self.name = name; self.mode = mode; self.smoothed = smoothed; self.weightOnly = weightOnly
            self.keptF16 = keptF16; self.speedClass = speedClass; self.metrics = metrics; self.passes = passes; self.chosen = chosen
        }
    }

    public struct Smoothing: Codable, Sendable, Equatable {
        /// The int8 matrix whose inputs are smoothed.
        public var tensor: String
        /// SmoothQuant's migration strength; nil when no smoothing measured better than none.
        public var alpha: Double?
        /// Where 1/s went: a tensor name it was folded into, or `activation quantizer` (quantization 2).
        public var appliedIn: String
        /// Relative error of the layer's W8A8 output on the calibration activations, without and with smoothing.
        public var errorPlain: Double
        public var errorSmoothed: Double

        public init(tensor: String, alpha: Double?, appliedIn: String, errorPlain: Double, errorSmoothed: Double) {
            self.tensor = tensor; self.alpha = alpha; self.appliedIn = appliedIn
            self.errorPlain = errorPlain; self.errorSmoothed = errorSmoothed
        }
    }

    public init(defaultMode: String, weightOnly: [String], reason: String, calibration: Calibration,
                thresholds: [Threshold], candidates: [Candidate], smoothing: [Smoothing]) {
        version = 1
        self.defaultMode = defaultMode; self.weightOnly = weightOnly; self.reason = reason
        self.calibration = calibration; self.thresholds = thresholds; self.candidates = candidates; self.smoothing = smoothing
    }
}
