import CKernels
import MBRuntime
import XCTest

/// `mbconvert bench --kernel-tier` runs lower kernel tiers on one machine (what an AVX2-only host gets).
final class KernelInfoTests: XCTestCase {
    override func tearDown() { mb_force_tier(-1) }

    func testTierNamesRoundTrip() {
        for tier in KernelInfo.Tier.allCases { XCTAssertEqual(KernelInfo.Tier(name: tier.name), tier) }
        XCTAssertNil(KernelInfo.Tier(name: "avx3"))
    }

    /// A limit selects that tier when the CPU supports it, else the best supported tier below it;
    /// never more. Support need not be nested (x86: avx512 without avx-vnni on a Skylake-X).
    func testLimitSelectsTheBestSupportedTierAtMostTheGivenOne() {
        let best = KernelInfo.tier
        XCTAssertEqual(best, KernelInfo.bestTier)
        XCTAssertTrue(best.isSupported)
        XCTAssertEqual(KernelInfo.availableTiers.last, best)
        XCTAssertEqual(KernelInfo.Tier.allCases.first?.isSupported, true, "portable is always supported")
        for tier in KernelInfo.Tier.allCases {
            KernelInfo.limit(to: tier)
            let expected = KernelInfo.Tier.allCases.last { $0 <= tier && $0.isSupported }!
            XCTAssertEqual(KernelInfo.tier, expected, "limit \(tier.name)")
            XCTAssertEqual(mb_active_tier(), Int32(expected.rawValue))
            if tier.isSupported { XCTAssertEqual(KernelInfo.tier, tier, "a supported tier is used as given") }
        }
        KernelInfo.removeLimit()
        XCTAssertEqual(KernelInfo.tier, best)
        XCTAssertEqual(mb_tier_supported(-1), 0)
        XCTAssertEqual(mb_tier_supported(mb_tier_count()), 0)
    }
}
