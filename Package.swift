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
//     <- MBServer (`mbconvert serve`: TEI-compatible HTTP routes over a batching queue; Hummingbird)
//     <- mbconvert (the command-line tool)
import PackageDescription

// No unsafe build flags: SwiftPM refuses them in any versioned dependency, and this package is a
// library others depend on. Code that needs CPU-specific instructions is C in CKernels, each tier a
// function with its own `__attribute__((target(...)))` behind run-time dispatch; the Swift modules
// build with SwiftPM's defaults (-O and whole-module optimisation in release). Tests run in release
// (`swift test -c release -Xswiftc -enable-testing`, see Scripts/test.sh): unoptimised int8 and
// SIMD loops are ~100x slower, which would make the model-level tests take many minutes.
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
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd"),
        .systemLibrary(name: "CXXHash", path: "Sources/CXXHash"),
        // The int8 dot-product and fp16 conversion instructions Swift cannot emit, with run-time dispatch.
        .target(name: "CKernels"),
        .target(name: "MBJSON"),
        .target(name: "MBFormat", dependencies: ["MBJSON", "CZstd", "CXXHash"]),
        .target(name: "MBTokenizer", dependencies: ["MBJSON"]),
        .target(name: "MBRuntime", dependencies: ["MBFormat", "MBTokenizer", "CBLAS", "CKernels"]),
        .target(name: "MBConverter", dependencies: ["MBFormat", "MBTokenizer", "MBRuntime"]),
        .target(name: "MBValidator", dependencies: ["MBFormat", "MBRuntime", "MBTokenizer"]),
        // The HTTP server; MBRuntime stays free of server code.
        .target(name: "MBServer", dependencies: [
            "MBFormat", "MBTokenizer", "MBRuntime",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ]),
        .executableTarget(name: "mbconvert", dependencies: [
            "MBFormat", "MBTokenizer", "MBRuntime", "MBConverter", "MBValidator", "MBServer",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Shared by the CLI tests of two test targets; in no product, so consumers never build it.
        .target(name: "MBTestSupport", path: "Tests/MBTestSupport"),
        .testTarget(name: "MBJSONTests", dependencies: ["MBJSON"]),
        .testTarget(name: "MBFormatTests", dependencies: ["MBFormat"]),
        .testTarget(name: "MBTokenizerTests", dependencies: ["MBTokenizer"], resources: [.copy("Fixtures")]),
        // Test data is read in place (found from #filePath), not copied into bundles.
        .testTarget(name: "MBRuntimeTests", dependencies: ["MBFormat", "MBTokenizer", "MBRuntime", "MBConverter", "CKernels", "MBTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "MBConverterTests", dependencies: ["MBFormat", "MBConverter"], exclude: ["Fixtures"]),
        .testTarget(name: "MBValidatorTests", dependencies: ["MBFormat", "MBRuntime", "MBConverter", "MBValidator", "mbconvert", "MBTestSupport"]),
        .testTarget(name: "MBServerTests", dependencies: ["MBFormat", "MBTokenizer", "MBRuntime", "MBConverter", "MBServer"]),
        .testTarget(name: "MBTasksTests", dependencies: ["MBFormat", "MBTokenizer", "MBRuntime", "MBConverter"],
                    exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v5]
)
