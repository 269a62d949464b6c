import Foundation
import MBRuntime
import XCTest

/// QuestionAnswerer against the transformers 4.x question-answering pipeline algorithm (Scripts/task_golden.py).
final class QuestionAnsweringGoldenTests: XCTestCase {
    func testAnswersMatchPipeline() throws {
        let golden = try TaskFixtures.golden("qa")
        let cases = try XCTUnwrap(golden["cases"] as? [[String: Any]])
        let model = try TaskFixtures.model("qa")
        var multiWindow = 0
        for (n, c) in cases.enumerated() {
            var qa = try QuestionAnswerer(model: model)
            if let v = c["max_seq_len"] as? Int { qa.maxLength = v }
            if let v = c["doc_stride"] as? Int { qa.stride = v }
            if let v = c["max_answer_len"] as? Int { qa.maxAnswerLength = v }
            let question = c["question"] as! String, context = c["context"] as! String
            // Windows: the ids QuestionAnswerer runs equal the fast tokenizer's overflowing encodings.
            let windows = (c["windows"] as! [[String: Any]]).map { ($0["input_ids"] as! [Int]).map(Int32.init) }
            XCTAssertFalse(windows.isEmpty, "case \(n) golden windows")
            let built = try qa.windowIds(question: question, context: context)
            XCTAssertEqual(built, windows, "case \(n) windows")
            if windows.count > 1 { multiWindow += 1 }

            let expected = c["expected"] as! [String: Any]
            let answer = try XCTUnwrap(try qa(question: question, context: context), "case \(n)")
            XCTAssertEqual(answer.text, expected["answer"] as? String, "case \(n)")
            XCTAssertEqual(answer.start, expected["start"] as? Int, "case \(n)")
            XCTAssertEqual(answer.end, expected["end"] as? Int, "case \(n)")
            XCTAssertEqual(answer.window, expected["window"] as? Int, "case \(n)")
            assertClose(answer.score, number(expected["score"]), "case \(n) score")
        }
        XCTAssertGreaterThan(multiWindow, 0, "a case must exercise long-context windows")
    }
}
