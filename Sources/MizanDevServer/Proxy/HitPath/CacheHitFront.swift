import MizanStores
import NIOCore
import NIOHTTPTypes

/// Answers fresh cache hits from the memory store straight from the socket's bytes, before
/// NIO's HTTP decoder and Hummingbird's async responder see them; everything else goes on to
/// them untouched.
///
/// A hit is most of what `mizan dev` serves, and the general path — llhttp, the conversion to
/// HTTP types, an async sequence into a Swift task and a writer back out — cost several times
/// the hit itself. This handler sits first in the pipeline, next to the socket: it frames each
/// request head itself (`RawRequestHead`), answers a GET or HEAD whose entry is fresh with bytes
/// encoded in one go (`DevServer.freshHit`), and passes every other request's bytes, body
/// included, to the decoder as they came. A connection whose bytes it cannot frame beyond doubt
/// (chunked bodies, upgrades, malformed heads) is handed to the decoder for good.
///
/// Responses leave in request order: once a request is passed on, later requests are passed on
/// too until the responder has ended every response it owes (`ResponseEndCounter` counts them).
final class CacheHitFront: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let server: DevServer
    private let store: MemoryStore
    private let owed: OwedResponses
    /// The start of a request head whose end has not arrived yet.
    private var partial: ByteBuffer?
    /// Body bytes of a passed-on request still to pass on.
    private var bodyLeft = 0
    /// False once the connection's bytes all go to the decoder.
    private var framing = true
    private var unflushed = false

    init(server: DevServer, store: MemoryStore, owed: OwedResponses) {
        self.server = server
        self.store = store
        self.owed = owed
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard framing else { return context.fireChannelRead(data) }
        var bytes = unwrapInboundIn(data)
        if var earlier = partial {
            partial = nil
            earlier.writeBuffer(&bytes)
            bytes = earlier
        }
        while bytes.readableBytes > 0 {
            if bodyLeft > 0 {
                let length = min(bodyLeft, bytes.readableBytes)
                bodyLeft -= length
                context.fireChannelRead(wrapInboundOut(bytes.readSlice(length: length)!))
                continue
            }
            // After a request that closes the connection, nothing more is read (RFC 9112 §9.6).
            if owed.closeWhenAnswered { return }
            switch RawRequestHead.parse(bytes) {
            case .incomplete:
                partial = bytes
                return
            case .unframeable:
                framing = false
                return context.fireChannelRead(wrapInboundOut(bytes))
            case .head(let head):
                if let answer = hit(head, context: context) {
                    bytes.moveReaderIndex(forwardBy: head.length)
                    context.write(wrapOutboundOut(.byteBuffer(answer)), promise: nil)
                    unflushed = true
                    continue
                }
                owed.count += 1
                bodyLeft = head.contentLength
                if head.closesAfterResponse { owed.closeWhenAnswered = true }
                context.fireChannelRead(wrapInboundOut(bytes.readSlice(length: head.length)!))
            }
        }
    }

    /// The answer when `head` may be answered here and is a fresh hit.
    private func hit(_ head: RawRequestHead, context: ChannelHandlerContext) -> ByteBuffer? {
        guard head.method != .other, head.contentLength == 0, !head.wantsResponder, !head.unusualTarget,
              // An answer now would overtake the responder's.
              owed.count == 0,
              // A client that does not read its responses gets them through the responder,
              // which waits for the socket; here they would pile up in memory.
              context.channel.isWritable
        else { return nil }
        return server.freshHit(
            isHead: head.method == .head, target: head.target, header: head.values, store: store, allocator: context.channel.allocator)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if unflushed {
            unflushed = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    // The decoder sees an unfinished head before the end of input, as it would without us.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        passOnPartial(context)
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        passOnPartial(context)
        context.fireChannelInactive()
    }

    private func passOnPartial(_ context: ChannelHandlerContext) {
        guard let bytes = partial else { return }
        partial = nil
        framing = false
        context.fireChannelRead(wrapInboundOut(bytes))
    }
}

/// Responses a connection's responder owes: requests `CacheHitFront` passed on whose response
/// has not ended. Used on the connection's event loop only.
final class OwedResponses {
    var count = 0
    /// Close once they are all written: the last request asked for it (HTTP/1.0 without
    /// keep-alive, which the responder cannot tell from 1.1, or `Connection: close`).
    var closeWhenAnswered = false
}

/// Sits after the HTTP codec, where responses are still parts, and counts the responder's
/// responses ending for `CacheHitFront`, which it puts at the socket end of the pipeline.
final class ResponseEndCounter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let server: DevServer
    private let store: MemoryStore
    private let owed = OwedResponses()

    init(server: DevServer, store: MemoryStore) {
        self.server = server
        self.store = store
    }

    func handlerAdded(context: ChannelHandlerContext) {
        try? context.pipeline.syncOperations.addHandler(CacheHitFront(server: server, store: store, owed: owed), position: .first)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data) else { return context.write(data, promise: promise) }
        owed.count = max(0, owed.count - 1)
        guard owed.count == 0, owed.closeWhenAnswered else { return context.write(data, promise: promise) }
        // Closing now would drop the response's unwritten bytes: close once they are written.
        let written = context.eventLoop.makePromise(of: Void.self)
        let channel = context.channel
        written.futureResult.whenComplete { result in
            promise?.completeWith(result)
            channel.close(promise: nil)
        }
        context.write(data, promise: written)
    }
}
