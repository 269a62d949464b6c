// swift-tools-version:6.0
//
// mbconvert: ModernBERT from Hugging Face form to small CPU hosts.
//
// Modules depend one way:
//   MBFormat (shared file-format types, safetensors, checksums)
//     <- MBTokenizer (ModernBERT's tokenizer.json, no dependencies beyond Foundation)
//     <- MBRuntime (mmap reader, kernels, model, heads: what a deployment host ships)
//     <- MBConverter (Hugging Face readers, file writer)
//     <- mbconvert (the command-line tool)
import PackageDescription

// Kernels are the product: release builds drop bounds checks in the runtime.
let kernelFlags: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release)),
]

let package = Package(
    name: "mbconvert",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mbconvert", targets: ["mbconvert"]),
        .library(name: "MBRuntime", targets: ["MBRuntime"]),
        .library(name: "MBConverter", targets: ["MBConverter"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd"),
        .systemLibrary(name: "CXXHash", path: "Sources/CXXHash"),
        .target(name: "MBFormat", dependencies: ["CZstd", "CXXHash"]),
        .target(name: "MBTokenizer", dependencies: [], swiftSettings: kernelFlags),
        .target(name: "MBRuntime", dependencies: ["MBFormat", "MBTokenizer", "CBLAS"], swiftSettings: kernelFlags),
        .target(name: "MBConverter", dependencies: ["MBFormat"]),
        .executableTarget(name: "mbconvert", dependencies: [
            "MBFormat", "MBTokenizer", "MBRuntime", "MBConverter",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "MBFormatTests", dependencies: ["MBFormat"]),
        .testTarget(name: "MBTokenizerTests", dependencies: ["MBTokenizer"], resources: [.copy("Fixtures")]),
        // Test data is read in place (found from #filePath), not copied into bundles.
        .testTarget(name: "MBRuntimeTests", dependencies: ["MBFormat", "MBRuntime", "MBConverter"], exclude: ["Fixtures"]),
        .testTarget(name: "MBConverterTests", dependencies: ["MBFormat", "MBConverter"], exclude: ["Fixtures"]),
        .testTarget(name: "MBTasksTests", dependencies: ["MBFormat", "MBTokenizer", "MBRuntime", "MBConverter"],
                    exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v5]
)
