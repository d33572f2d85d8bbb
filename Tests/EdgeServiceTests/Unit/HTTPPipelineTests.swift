import XCTest

@testable import EdgeService

/// The pipelining state machine alone: messages are strings naming the request part.
final class HTTPPipelineTests: XCTestCase {
    private typealias Pipeline = HTTPPipeline<String>

    /// Drains what may go now, as the handler's loop does.
    private func drain(_ pipeline: inout Pipeline) -> [String] {
        var delivered: [String] = []
        while let event = pipeline.next() {
            switch event {
            case .part(_, let message): delivered.append(message)
            case .error: delivered.append("error")
            case .inputClosed: delivered.append("inputClosed")
            }
        }
        return delivered
    }

    /// A whole bodiless request; the actions of its three parts.
    private func send(_ name: String, to pipeline: inout Pipeline) -> [Pipeline.InboundAction] {
        [pipeline.received(.head, "\(name).head"), pipeline.received(.end, "\(name).end")]
    }

    private func respond(_ pipeline: inout Pipeline, file: Bool = false) -> (closes: Bool, end: Pipeline.ResponseEndAction) {
        let closes = pipeline.responseHeadWritten(isInformational: false)
        pipeline.responseBodyWritten(isFile: file)
        return (closes, pipeline.responseEndWritten())
    }

    func testOneRequestAtATimePassesStraightThroughAndReadsResume() {
        var pipeline = Pipeline(maximumQueuedRequests: 4)
        XCTAssertTrue(pipeline.readRequested())
        XCTAssertEqual(send("a", to: &pipeline), [.deliver, .deliver])
        XCTAssertFalse(pipeline.readRequested(), "no reading while the response is pending")
        XCTAssertEqual(respond(&pipeline).end, .proceed)
        XCTAssertEqual(drain(&pipeline), [])
        XCTAssertTrue(pipeline.takePendingRead())
        XCTAssertFalse(pipeline.takePendingRead(), "issued once")
    }

    func testPipelinedRequestsWaitAndComeOutInOrderOneAtATime() {
        var pipeline = Pipeline(maximumQueuedRequests: 4)
        XCTAssertEqual(send("a", to: &pipeline), [.deliver, .deliver])
        XCTAssertEqual(pipeline.received(.head, "b.head"), .hold)
        XCTAssertEqual(pipeline.received(.body, "b.body"), .hold)
        XCTAssertEqual(pipeline.received(.end, "b.end"), .hold)
        XCTAssertEqual(send("c", to: &pipeline), [.hold, .hold])
        XCTAssertEqual(pipeline.queuedRequestCount, 2)
        XCTAssertEqual(drain(&pipeline), [], "nothing while a's response is pending")

        XCTAssertEqual(respond(&pipeline).end, .proceed)
        XCTAssertEqual(drain(&pipeline), ["b.head", "b.body", "b.end"], "b, and not c before b is answered")
        _ = pipeline.readRequested()
        XCTAssertFalse(pipeline.takePendingRead(), "c is still queued")
        XCTAssertEqual(respond(&pipeline).end, .proceed)
        XCTAssertEqual(drain(&pipeline), ["c.head", "c.end"])
        XCTAssertEqual(respond(&pipeline).end, .proceed)
        XCTAssertTrue(pipeline.takePendingRead())
    }

    /// What the handler's loop relies on: a response written while the loop runs only changes
    /// state, and the loop's next call hands out the next request.
    func testRequestsAnsweredInsideTheLoopAreHandedOutIteratively() {
        var pipeline = Pipeline(maximumQueuedRequests: 100_000)
        _ = send("first", to: &pipeline)
        for index in 0..<50_000 { _ = send("\(index)", to: &pipeline) }
        XCTAssertEqual(respond(&pipeline).end, .proceed)
        var answered = 0
        while let event = pipeline.next() {
            if case .part(.end, _) = event {
                XCTAssertEqual(respond(&pipeline).end, .proceed)
                answered += 1
            }
        }
        XCTAssertEqual(answered, 50_000)
    }

    func testOneTooManyOverflowsDropsTheRestAndTheLastQueuedResponseCloses() {
        var pipeline = Pipeline(maximumQueuedRequests: 2)
        _ = send("a", to: &pipeline)
        _ = send("b", to: &pipeline)
        _ = send("c", to: &pipeline)
        XCTAssertEqual(pipeline.received(.head, "d.head"), .overflow)
        XCTAssertEqual(pipeline.received(.end, "d.end"), .hold)
        XCTAssertEqual(pipeline.received(.head, "e.head"), .hold, "counted once")
        _ = pipeline.readRequested()

        XCTAssertEqual(respond(&pipeline).closes, false)
        XCTAssertEqual(drain(&pipeline), ["b.head", "b.end"])
        XCTAssertEqual(respond(&pipeline).closes, false)
        XCTAssertEqual(drain(&pipeline), ["c.head", "c.end"])
        XCTAssertFalse(pipeline.takePendingRead(), "nothing more is read before c is answered")
        XCTAssertEqual(respond(&pipeline).end, .linger, "c was the last one queued")
        XCTAssertTrue(pipeline.takePendingRead(), "lingering reads what the client still sends…")
        XCTAssertEqual(pipeline.received(.head, "f.head"), .hold, "…and drops it")
        XCTAssertEqual(pipeline.received(.end, "f.end"), .hold)
        XCTAssertEqual(drain(&pipeline), [])
        XCTAssertEqual(pipeline.receivedInputClosed(), .close, "until the client closes")
    }

    func testTheLastQueuedResponseAnnouncesTheClose() {
        var pipeline = Pipeline(maximumQueuedRequests: 1)
        _ = send("a", to: &pipeline)
        _ = send("b", to: &pipeline)
        XCTAssertEqual(pipeline.received(.head, "c.head"), .overflow)
        XCTAssertFalse(pipeline.responseHeadWritten(isInformational: false))
        XCTAssertEqual(pipeline.responseEndWritten(), .proceed)
        XCTAssertEqual(drain(&pipeline), ["b.head", "b.end"])
        XCTAssertFalse(pipeline.responseHeadWritten(isInformational: true), "100 Continue is not the response")
        XCTAssertTrue(pipeline.responseHeadWritten(isInformational: false))
        XCTAssertEqual(pipeline.responseEndWritten(), .linger)
    }

    func testNoNewRequestNorReadWhileTheClientIsNotTakingResponses() {
        var pipeline = Pipeline(maximumQueuedRequests: 4)
        _ = send("a", to: &pipeline)
        pipeline.writabilityChanged(isWritable: false)
        XCTAssertEqual(respond(&pipeline).end, .proceed)
        XCTAssertFalse(pipeline.readRequested())
        XCTAssertEqual(send("b", to: &pipeline), [.hold, .hold], "b waits even with nothing in hand")
        XCTAssertEqual(drain(&pipeline), [])
        pipeline.writabilityChanged(isWritable: true)
        XCTAssertEqual(drain(&pipeline), ["b.head", "b.end"])
        XCTAssertFalse(pipeline.takePendingRead())
        _ = respond(&pipeline)
        XCTAssertTrue(pipeline.takePendingRead())
    }

    /// The body of the request in hand is read and delivered even while not writable: the
    /// request must be complete to be answered.
    func testTheRequestInHandKeepsArrivingWhileNotWritable() {
        var pipeline = Pipeline(maximumQueuedRequests: 4)
        XCTAssertEqual(pipeline.received(.head, "a.head"), .deliver)
        pipeline.writabilityChanged(isWritable: false)
        XCTAssertTrue(pipeline.readRequested())
        XCTAssertEqual(pipeline.received(.body, "a.body"), .deliver)
        XCTAssertEqual(pipeline.received(.end, "a.end"), .deliver)
    }

    func testNextRequestWaitsUntilAFileResponseIsWritten() {
        var pipeline = Pipeline(maximumQueuedRequests: 4)
        _ = send("a", to: &pipeline)
        _ = send("b", to: &pipeline)
        XCTAssertEqual(respond(&pipeline, file: true).end, .awaitWrite)
        XCTAssertEqual(drain(&pipeline), [], "b's file is not opened while a's is being sent")
        XCTAssertFalse(pipeline.responseWriteCompleted())
        XCTAssertEqual(drain(&pipeline), ["b.head", "b.end"])
        XCTAssertEqual(respond(&pipeline).end, .proceed, "a byte response needs no wait")
    }

    func testHalfCloseComesAfterTheQueuedRequests() {
        var pipeline = Pipeline(maximumQueuedRequests: 4)
        _ = send("a", to: &pipeline)
        _ = send("b", to: &pipeline)
        XCTAssertEqual(pipeline.receivedInputClosed(), .hold)
        _ = respond(&pipeline)
        XCTAssertEqual(drain(&pipeline), ["b.head", "b.end", "inputClosed"])

        var idle = Pipeline(maximumQueuedRequests: 4)
        XCTAssertEqual(idle.receivedInputClosed(), .deliver)
    }

    /// The connection handler closes on a half-close when idle, which would cut the file short.
    func testHalfCloseWaitsForAFileBeingSent() {
        var pipeline = Pipeline(maximumQueuedRequests: 4)
        _ = send("a", to: &pipeline)
        XCTAssertEqual(respond(&pipeline, file: true).end, .awaitWrite)
        XCTAssertEqual(pipeline.receivedInputClosed(), .hold)
        XCTAssertEqual(drain(&pipeline), [])
        _ = pipeline.responseWriteCompleted()
        XCTAssertEqual(drain(&pipeline), ["inputClosed"])
    }

    func testParseErrorIsAnsweredInItsTurn() {
        struct Malformed: Error {}
        var pipeline = Pipeline(maximumQueuedRequests: 4)
        _ = send("a", to: &pipeline)
        XCTAssertEqual(pipeline.receivedError(Malformed()), .hold)
        _ = respond(&pipeline)
        XCTAssertEqual(drain(&pipeline), ["error"])
        XCTAssertFalse(pipeline.readRequested(), "its answer is pending")

        var idle = Pipeline(maximumQueuedRequests: 4)
        XCTAssertEqual(idle.receivedError(Malformed()), .deliver)
        XCTAssertEqual(idle.responseEndWritten(), .proceed)
    }

    func testQuiesceClosesAnIdleConnectionAtOnce() {
        var pipeline = Pipeline(maximumQueuedRequests: 4)
        XCTAssertTrue(pipeline.quiesce())
        XCTAssertEqual(pipeline.received(.head, "a.head"), .hold)
    }

    func testQuiesceFinishesTheRequestInHandAndDropsTheQueued() {
        var pipeline = Pipeline(maximumQueuedRequests: 4)
        XCTAssertEqual(pipeline.received(.head, "a.head"), .deliver)
        _ = send("b", to: &pipeline)
        XCTAssertFalse(pipeline.quiesce())
        XCTAssertEqual(pipeline.received(.end, "a.end"), .deliver, "the request in hand still arrives")
        XCTAssertTrue(pipeline.responseHeadWritten(isInformational: false), "its response says Connection: close")
        XCTAssertEqual(pipeline.responseEndWritten(), .close)
        XCTAssertEqual(drain(&pipeline), [])
    }

    func testQuiesceWhileAFileIsSentClosesOnceItIs() {
        var pipeline = Pipeline(maximumQueuedRequests: 4)
        _ = send("a", to: &pipeline)
        XCTAssertEqual(respond(&pipeline, file: true).end, .awaitWrite)
        XCTAssertFalse(pipeline.quiesce())
        XCTAssertTrue(pipeline.responseWriteCompleted())
    }
}
