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

    /// A limit selects that tier, or the CPU's best when the CPU has less; never more.
    func testLimitSelectsAtMostTheGivenTier() {
        let best = KernelInfo.tier
        for tier in KernelInfo.Tier.allCases {
            KernelInfo.limit(to: tier)
            XCTAssertEqual(KernelInfo.tier.rawValue, min(tier.rawValue, best.rawValue), "limit \(tier.name)")
        }
    }
}
