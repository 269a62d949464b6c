import CKernels

/// Which kernel tier the CPU dispatcher picked, for reports and benchmarks.
public enum KernelInfo {
    public static var tierName: String {
        switch mb_active_tier() {
        case 3: return "avx512-vnni"
        case 2: return "avx512"
        case 1: return "avx2"
        default: return "portable"
        }
    }
}
