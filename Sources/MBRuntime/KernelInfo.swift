import CKernels
import Foundation

/// Which kernel tier the CPU dispatcher picked, for reports and benchmarks.
///
/// Tiers are numbered per architecture from the portable C code up, ordered by what a CPU can do
/// (x86-64: portable, avx2, avx-vnni, avx512, avx512-vnni; ARM64: portable, neon, neon-dotprod,
/// neon-i8mm); their names come from the C kernels, so this type never spells an instruction set.
/// Support is not always nested: an AVX-512 CPU without VNNI (Skylake-X) has avx512 but not avx-vnni.
public enum KernelInfo {
    /// A kernel tier of this architecture.
    public struct Tier: Hashable, Comparable, Sendable, CustomStringConvertible {
        /// 0 for the portable code; higher tiers use more of the CPU's instructions.
        public let rawValue: Int

        public init?(rawValue: Int) {
            guard rawValue >= 0, rawValue < Int(mb_tier_count()) else { return nil }
            self.rawValue = rawValue
        }

        /// The tier called `name` (as `--kernel-tier` spells it), if this architecture has one.
        public init?(name: String) {
            guard let tier = Self.allCases.first(where: { $0.name == name }) else { return nil }
            self = tier
        }

        /// Every tier of this architecture, lowest first, whether or not this CPU has it.
        public static var allCases: [Tier] { (0..<Int(mb_tier_count())).compactMap(Tier.init(rawValue:)) }

        /// The tier's name, e.g. "avx2" or "neon-dotprod".
        public var name: String { String(cString: mb_tier_name(Int32(rawValue))) }
        public var description: String { name }

        /// Whether this CPU can run the tier.
        public var isSupported: Bool { mb_tier_supported(Int32(rawValue)) != 0 }

        public static func < (a: Tier, b: Tier) -> Bool { a.rawValue < b.rawValue }
    }

    /// The tier in use: the CPU's best, unless `limit(to:)` lowered it.
    public static var tier: Tier { Tier(rawValue: Int(mb_active_tier()))! }
    public static var tierName: String { tier.name }

    /// The best tier this CPU supports.
    public static var bestTier: Tier { Tier(rawValue: Int(mb_best_tier()))! }

    /// The CPU features the kernels look at, e.g. "x86-64 avx2 fma f16c avx512f avx512bw avx512vl avx512vnni".
    public static var cpuFeatures: String { String(cString: mb_cpu_features_text()) }

    /// The CPU's model name, for reports ("AMD EPYC 7R13 Processor"; "unknown" where the system does not say).
    public static let cpuModel: String = {
        #if os(Linux)
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) {
            for key in ["model name", "Model", "Hardware"] {
                if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key) }),
                   let value = line.split(separator: ":", maxSplits: 1).last {
                    return value.trimmingCharacters(in: .whitespaces)
                }
            }
        }
        #elseif os(macOS)
        var size = 0
        if sysctlbyname("machdep.cpu.brand_string", nil, &size, nil, 0) == 0, size > 0 {
            var buffer = [CChar](repeating: 0, count: size)
            if sysctlbyname("machdep.cpu.brand_string", &buffer, &size, nil, 0) == 0 { return String(cString: buffer) }
        }
        #endif
        return "unknown"
    }()

    /// Runs every kernel as on a CPU whose best tier is `tier`: the active tier becomes the best tier
    /// at or below `tier` that this CPU supports (`tier` itself when supported), so one machine can
    /// measure what a host with fewer instructions gets. Process-wide.
    public static func limit(to tier: Tier) { mb_force_tier(Int32(tier.rawValue)) }

    /// Undoes `limit(to:)`: the CPU's best tier again.
    public static func removeLimit() { mb_force_tier(-1) }

    /// The tiers this CPU can run, from portable up to its best (skipping any it lacks below that).
    public static var availableTiers: [Tier] { Tier.allCases.filter(\.isSupported) }
}
