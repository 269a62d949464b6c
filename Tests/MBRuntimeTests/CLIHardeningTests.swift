import Foundation
import MBConverter
import MBFormat
import MBRuntime
import XCTest

/// The command-line tool, run as a subprocess: refusals, exit codes, interruption, odd text.
final class CLIHardeningTests: XCTestCase {
    private func temporaryCopy(of url: URL, as name: String? = nil) throws -> URL {
        let copy = try TestPaths.temporaryDirectory().appendingPathComponent(name ?? url.lastPathComponent)
        try FileManager.default.copyItem(at: url, to: copy)
        return copy
    }

    // MARK: interruption

    /// SIGKILLs `mbconvert convert` at many moments. Afterwards the destination is byte-for-byte the old
    /// file or the complete new one, never anything else; stray temporaries are hidden
    /// (`.<name>.tmp-*`) and either refuse to load or are complete (killed between fsync and rename).
    func testKillingConvertAtAnyMomentLeavesOldOrNewFile() throws {
        let source = TestPaths.fixtures.appendingPathComponent("mlm-legacy-f32").path
        let dir = try TestPaths.temporaryDirectory()
        let destination = dir.appendingPathComponent("out.mbc")
        // The complete new file, and an unrelated old file at the destination.
        let reference = dir.appendingPathComponent("reference.mbc")
        let start = Date()
        XCTAssertEqual(try CLI.run(["convert", source, "-o", reference.path]).status, 0)
        let duration = Date().timeIntervalSince(start)
        let newBytes = try Data(contentsOf: reference)
        XCTAssertEqual(try CLI.run(["convert", HardeningFixtures.tinyCheckpoint.path, "-o", destination.path]).status, 0)
        let oldBytes = try Data(contentsOf: destination)

        var delays: [TimeInterval] = [0, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2]
        delays += stride(from: 0.1, through: 1.2, by: 0.1).map { $0 * duration }
        var outcomes = (old: 0, new: 0, temporaries: 0)
        for delay in delays + delays {
            // Start from the old file each time, so "untouched" is checked at every moment.
            try oldBytes.write(to: destination)
            let process = Process()
            process.executableURL = try CLI.binary()
            process.arguments = ["convert", source, "-o", destination.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            if delay > 0 { usleep(UInt32(delay * 1_000_000)) }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            let now = try Data(contentsOf: destination)
            if now == oldBytes {
                outcomes.old += 1
            } else {
                XCTAssertEqual(now, newBytes, "after a kill at \(delay) s the destination is neither the old nor the new file")
                XCTAssertEqual(try ModelFile(url: destination).verify(), [])
                outcomes.new += 1
            }
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasPrefix(".") {
                XCTAssertTrue(name.hasPrefix(".out.mbc.tmp-"), name)
                let temporary = dir.appendingPathComponent(name)
                if let file = try? ModelFile(url: temporary) {
                    XCTAssertEqual(file.verify(), [], "a loadable temporary must be complete")
                }
                try FileManager.default.removeItem(at: temporary)
                outcomes.temporaries += 1
            }
        }
        XCTAssertGreaterThan(outcomes.old, 0)
        print("kill test: \(outcomes.old) old, \(outcomes.new) new, \(outcomes.temporaries) stray temporaries, conversion \(duration) s")
    }

    // MARK: refusing to overwrite inputs

    func testOutputEqualToAnInputIsRefusedByEveryWritingCommand() throws {
        let model = try temporaryCopy(of: HardeningFixtures.textModel)
        let dir = model.deletingLastPathComponent()
        let ids = dir.appendingPathComponent("ids.jsonl"), texts = dir.appendingPathComponent("texts.jsonl")
        try Data("[50281, 510, 50282]\n".utf8).write(to: ids)
        try Data("\"hello\"\n".utf8).write(to: texts)
        let before = try [model, ids, texts].map { try Data(contentsOf: $0) }

        let attempts: [[String]] = [
            ["forward", model.path, "--input", ids.path, "--output", model.path],
            ["forward", model.path, "--input", ids.path, "--output", ids.path],
            ["tokenize", model.path, "--input", texts.path, "--output", texts.path],
            ["tokenize", model.path, "--input", texts.path, "--output", model.path],
        ]
        for arguments in attempts {
            let result = try CLI.run(arguments)
            XCTAssertNotEqual(result.status, 0, "\(arguments)")
            XCTAssertTrue(result.stderr.contains("refusing to write"), "\(arguments): \(result.stderr)")
        }
        XCTAssertEqual(try [model, ids, texts].map { try Data(contentsOf: $0) }, before)

        // convert: every file of the checkpoint, the tokenizer included, is an input.
        let checkpoint = try TestPaths.temporaryDirectory().appendingPathComponent("hf")
        try FileManager.default.copyItem(at: HardeningFixtures.tinyCheckpoint, to: checkpoint)
        try FileManager.default.copyItem(at: HardeningFixtures.realTokenizer.appendingPathComponent("tokenizer_config.json"),
                                         to: checkpoint.appendingPathComponent("tokenizer.json"))
        for name in ["model.safetensors", "config.json", "tokenizer.json"] {
            let target = checkpoint.appendingPathComponent(name)
            let original = try Data(contentsOf: target)
            let result = try CLI.run(["convert", checkpoint.path, "-o", target.path])
            XCTAssertNotEqual(result.status, 0, name)
            XCTAssertTrue(result.stderr.contains("refusing to write"), "\(name): \(result.stderr)")
            XCTAssertEqual(try Data(contentsOf: target), original, name)
        }
    }

    // MARK: inspect --verify

    func testInspectVerifyExitsOneOnDamagedTensorAndNamesIt() throws {
        let url = try temporaryCopy(of: HardeningFixtures.tinyModel)
        XCTAssertEqual(try CLI.run(["inspect", url.path, "--verify"]).status, 0)
        let file = try ModelFile(url: url)
        let record = try XCTUnwrap(file.record("layers.1.mlp.Wi.weight"))
        var bytes = try Data(contentsOf: url)
        bytes[file.header.dataOffset + Int(record.offset) + 5] ^= 0x04
        try bytes.write(to: url)
        let result = try CLI.run(["inspect", url.path, "--verify"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stdout.contains("CORRUPTED: layers.1.mlp.Wi.weight"), result.stdout)
        // Without --verify the header checks pass: load succeeds, exit 0.
        XCTAssertEqual(try CLI.run(["inspect", url.path]).status, 0)
        // A damaged header byte is refused by every command that opens the file.
        bytes[70] ^= 0x01
        try bytes.write(to: url)
        let refused = try CLI.run(["inspect", url.path])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("\(url.path): checksum mismatch in the section directory"), refused.stderr)
    }

    // MARK: long, empty and odd input

    func testForwardRefusesOverlongEmptyAndInvalidInputWithFileAndLine() throws {
        let dir = try TestPaths.temporaryDirectory()
        let ids = dir.appendingPathComponent("ids.jsonl"), out = dir.appendingPathComponent("out.safetensors")
        let model = HardeningFixtures.textModel.path
        func run(_ content: [UInt8]) throws -> CLI.Result {
            try Data(content).write(to: ids)
            return try CLI.run(["forward", model, "--input", ids.path, "--output", out.path])
        }
        let long = "[" + (0..<17).map { _ in "510" }.joined(separator: ",") + "]"
        var result = try run(Array("[510]\n\n\(long)\n".utf8))
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("\(ids.path):3: 17 token ids; the model takes at most 16"), result.stderr)
        result = try run(Array("[510]\n[]\n".utf8))
        XCTAssertTrue(result.stderr.contains("\(ids.path):2: empty sequence"), result.stderr)
        result = try run(Array("[510]\n".utf8) + [0x5B, 0xFF, 0x5D, 0x0A])
        XCTAssertTrue(result.stderr.contains("\(ids.path):2: invalid UTF-8"), result.stderr)
        result = try run(Array("[510, 99999999]\n".utf8))
        XCTAssertTrue(result.stderr.contains("\(ids.path):1: token id 99999999 at position 1 is outside the vocabulary"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
        result = try run(Array("[50281, 510, 50282]\n".utf8))
        XCTAssertEqual(result.status, 0, result.stderr)
    }

    func testTokenizeTruncatesToTheModelWithAWarningAndNoTruncateRefuses() throws {
        let dir = try TestPaths.temporaryDirectory()
        let input = dir.appendingPathComponent("texts.jsonl"), output = dir.appendingPathComponent("ids.jsonl")
        let long = Array(repeating: "word", count: 40).joined(separator: " ")
        try Data("\"\"\n\"   \"\n\"\(long)\"\n\"short text\"\n".utf8).write(to: input)
        let model = HardeningFixtures.textModel.path

        var result = try CLI.run(["tokenize", model, "--input", input.path, "--output", output.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("warning: \(input.path):3: 42 tokens truncated to the model's 16 positions"), result.stderr)
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 4)
        XCTAssertEqual(lines[0], "[50281,50282]")  // empty text: [CLS] [SEP]
        XCTAssertEqual(lines[1].split(separator: ",").count, 3)  // whitespace is a token of its own, as in HF
        XCTAssertEqual(lines[2].split(separator: ",").count, 16)

        result = try CLI.run(["tokenize", model, "--input", input.path, "--output", output.path, "--no-truncate"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("\(input.path):3: 42 tokens, more than the model's 16 positions"), result.stderr)

        // An explicit --max-length truncates silently; a bare tokenizer.json has no model limit.
        result = try CLI.run(["tokenize", model, "--input", input.path, "--output", output.path, "--max-length", "8"])
        XCTAssertEqual(result.status, 0)
        XCTAssertFalse(result.stderr.contains("warning"), result.stderr)
        result = try CLI.run(["tokenize", HardeningFixtures.realTokenizer.appendingPathComponent("tokenizer.json").path,
                              "--input", input.path, "--output", output.path])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(try String(contentsOf: output, encoding: .utf8).split(separator: "\n")[2].split(separator: ",").count, 42)

        try Data(Array("\"ok\"\n".utf8) + [0x22, 0xC3, 0x28, 0x22, 0x0A]).write(to: input)
        result = try CLI.run(["tokenize", model, "--input", input.path, "--output", output.path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("\(input.path):2: invalid UTF-8"), result.stderr)
    }

    func testFillMaskTruncatesWithAWarningAndHandlesEmptyText() throws {
        let model = HardeningFixtures.textModel.path
        let long = "A list is a [MASK]. " + Array(repeating: "word", count: 40).joined(separator: " ")
        var result = try CLI.run(["fill-mask", model, long])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("warning: 1 text(s) longer than 16 tokens were truncated"), result.stderr)
        result = try CLI.run(["fill-mask", model, long, "--no-truncate"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("text 1 is longer than the model's 16 positions (--no-truncate)"), result.stderr)
        // The mask beyond the limit: the message says so.
        result = try CLI.run(["fill-mask", model, Array(repeating: "word", count: 40).joined(separator: " ") + " [MASK]"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("no mask token within the first 16 tokens"), result.stderr)
        for text in ["", "   ", "\n"] {
            result = try CLI.run(["fill-mask", model, text])
            XCTAssertNotEqual(result.status, 0)
            XCTAssertTrue(result.stderr.contains("no mask token in"), result.stderr)
        }
    }
}
