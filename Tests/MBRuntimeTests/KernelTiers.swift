import CKernels
import Foundation
import MBRuntime
import XCTest

/// The kernel tiers a test can force on this CPU, lowest first, and one line per test saying which
/// they were (and which tiers this CPU cannot run), so a green log shows what it proved:
/// `PanelGemmTests.testFloatEpilogueIsIdenticalAcrossTiers: tiers portable, avx2, avx512 (not on this CPU: avx-vnni, avx512-vnni)`.
enum KernelTiers {
    nonisolated(unsafe) private static var reported: Set<String> = []
    private static let lock = NSLock()

    /// The tiers this CPU supports, for `for tier in KernelTiers.all(self) { mb_force_tier(tier); ... }`
    /// (not simply `0...best`: x86 support is not nested, a Skylake-X has avx512 but not avx-vnni);
    /// `note` adds what else the test's coverage depends on (printed once per test, with the tiers).
    static func all(_ test: XCTestCase, note: String? = nil) -> [Int32] {
        mb_force_tier(-1)   // the CPU's best, whatever an earlier iteration forced
        let supported = KernelInfo.Tier.allCases.filter(\.isSupported)
        lock.lock()
        let first = reported.insert(test.name).inserted
        lock.unlock()
        if first {
            let missing = KernelInfo.Tier.allCases.filter { !$0.isSupported }.map(\.name)
            var line = "\(test.name): tiers " + supported.map(\.name).joined(separator: ", ")
            if !missing.isEmpty { line += " (not on this CPU: \(missing.joined(separator: ", ")))" }
            if let note { line += "; \(note)" }
            print(line)
        }
        return supported.map { Int32($0.rawValue) }
    }
}
