import CKernels

/// Which kernel tier the CPU dispatcher picked, for reports and benchmarks.
public enum KernelInfo {
    /// The kernel families, from the baseline up; the dispatcher runs the best one the CPU has.
    public enum Tier: Int, CaseIterable, Sendable {
        case portable = 0, avx2, avx512, avx512VNNI

        public var name: String {
            switch self {
            case .portable: return "portable"
            case .avx2: return "avx2"
            case .avx512: return "avx512"
            case .avx512VNNI: return "avx512-vnni"
            }
        }

        public init?(name: String) {
            guard let tier = Self.allCases.first(where: { $0.name == name }) else { return nil }
            self = tier
        }
    }

    public static var tier: Tier { Tier(rawValue: Int(mb_active_tier())) ?? .portable }
    public static var tierName: String { tier.name }

    /// Runs every kernel as on a CPU whose best tier is `tier` (or the CPU's own best, if lower),
    /// so one AVX-512 machine can measure what an AVX2-only host gets. Process-wide.
    public static func limit(to tier: Tier) { mb_force_tier(Int32(tier.rawValue)) }

    /// Undoes `limit(to:)`: the CPU's best tier again.
    public static func removeLimit() { mb_force_tier(-1) }

    /// The tiers this CPU can run, from portable up to its best.
    public static var availableTiers: [Tier] {
        let features = mb_cpu_features()
        return Tier.allCases.filter { tier in
            switch tier {
            case .portable: return true
            case .avx2: return features & 1 != 0
            case .avx512: return features & 2 != 0
            case .avx512VNNI: return features & 4 != 0
            }
        }
    }
}
