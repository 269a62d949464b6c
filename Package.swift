// swift-tools-version:6.0
//
// mbconvert: ModernBERT from Hugging Face form to small CPU hosts.
//
// Modules depend one way:
//   MBJSON (the strict JSON scanner both parsers below share; no dependencies, not even Foundation)
//     <- MBFormat (shared file-format types, safetensors, checksums)
//     <- MBTokenizer (ModernBERT's tokenizer.json; nothing beyond MBJSON and Foundation)
//     <- MBRuntime (mmap reader, kernels, model, heads: what a deployment host ships)
//     <- MBConverter (Hugging Face readers, file writer, quantizer; runs MBRuntime for --auto)
//     <- MBValidator (compares a candidate model with an fp32 reference: metrics, thresholds, report)
//     <- mbconvert (the command-line tool)
import PackageDescription

// Kernels are the product: release builds drop bounds checks in the runtime. Debug builds
// (what `swift test` uses) still optimise the numeric modules: unoptimised SIMD and int8 loops
// are ~100x slower, which would make the model-level tests take many minutes.
// The Swift kernels assume AVX2/FMA/F16C (x86-64 since 2013, "haswell"); AVX-512 and VNNI code is
// in CKernels behind run-time dispatch, so one binary serves both kinds of host.
let kernelFlags: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-wmo", "-target-cpu", "haswell"], .when(configuration: .release)),
    .unsafeFlags(["-O", "-target-cpu", "haswell"], .when(configuration: .debug)),
]
let numericFlags: [SwiftSetting] = [
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]

let package = Package(
    name: "mbconvert",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mbconvert", targets: ["mbconvert"]),
        .library(name: "MBRuntime", targets: ["MBRuntime"]),
        .library(name: "MBConverter", targets: ["MBConverter"]),
        .library(name: "MBValidator", targets: ["MBValidator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd"),
        .systemLibrary(name: "CXXHash", path: "Sources/CXXHash"),
        // The int8 dot-product and fp16 conversion instructions Swift cannot emit, with run-time dispatch.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "MBJSON", swiftSettings: numericFlags),
        .target(name: "MBFormat", dependencies: ["MBJSON", "CZstd", "CXXHash"], swiftSettings: numericFlags),
        .target(name: "MBTokenizer", dependencies: ["MBJSON"], swiftSettings: kernelFlags),
        .target(name: "MBRuntime", dependencies: ["MBFormat", "MBTokenizer", "CBLAS", "CKernels"], swiftSettings: kernelFlags),
        .target(name: "MBConverter", dependencies: ["MBFormat", "MBTokenizer", "MBRuntime"], swiftSettings: numericFlags),
        .target(name: "MBValidator", dependencies: ["MBFormat", "MBRuntime", "MBTokenizer"], swiftSettings: numericFlags),
        .executableTarget(name: "mbconvert", dependencies: [
            "MBFormat", "MBTokenizer", "MBRuntime", "MBConverter", "MBValidator",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "MBJSONTests", dependencies: ["MBJSON"]),
        .testTarget(name: "MBFormatTests", dependencies: ["MBFormat"]),
        .testTarget(name: "MBTokenizerTests", dependencies: ["MBTokenizer"], resources: [.copy("Fixtures")]),
        // Test data is read in place (found from #filePath), not copied into bundles.
        .testTarget(name: "MBRuntimeTests", dependencies: ["MBFormat", "MBTokenizer", "MBRuntime", "MBConverter", "CKernels"], exclude: ["Fixtures"]),
        .testTarget(name: "MBConverterTests", dependencies: ["MBFormat", "MBConverter"], exclude: ["Fixtures"]),
        .testTarget(name: "MBValidatorTests", dependencies: ["MBFormat", "MBRuntime", "MBConverter", "MBValidator", "mbconvert"]),
        .testTarget(name: "MBTasksTests", dependencies: ["MBFormat", "MBTokenizer", "MBRuntime", "MBConverter"],
                    exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v5]
)
