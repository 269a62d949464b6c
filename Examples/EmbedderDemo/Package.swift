// swift-tools-version:6.0
//
// An application that uses mbconvert as a library, as any package would: by URL and version.
import PackageDescription

// Where mbconvert is published. Scripts/example-consumer.sh sets MBCONVERT_URL to a tagged local
// clone (file://...), so CI resolves and builds this exactly as a consumer's package, offline.
let mbconvertURL = Context.environment["MBCONVERT_URL"] ?? "https://github.com/OWNER/mbconvert.git"

let package = Package(
    name: "EmbedderDemo",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(url: mbconvertURL, from: "0.1.0"),
    ],
    targets: [
        // What a host ships: loads a model file and runs it (the runtime alone, no converter).
        .executableTarget(name: "EmbedderDemo", dependencies: [
            .product(name: "MBRuntime", package: "mbconvert"),
        ]),
        // Makes that model file from a Hugging Face directory (what `mbconvert convert` does).
        .executableTarget(name: "ConvertModel", dependencies: [
            .product(name: "MBConverter", package: "mbconvert"),
        ]),
    ]
)
