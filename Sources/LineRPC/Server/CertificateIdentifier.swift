import NIOCore
import NIOSSL
import NIOTLS

/// Gives a connection its identity from the client certificate as soon as the TLS handshake
/// completes, before any line is read, so its first line already gets the limits of its identity.
/// Also records how far the connection got (``RPCSession/progress``: TLS up, bytes received), and
/// reports an error caught before the handshake completed (``HandshakeFailureReporter``).
///
/// The identity is what `identify` maps the subject's common name to (none without a certificate
/// or a CN, or for an unmapped CN). A certificate whose subject holds more than one CN
/// (`CN=intruder, CN=dev-admin`: one name shown, another mapped) is refused: the connection gets one
/// `-32007 auth.certificate_rejected` line, nothing it sends is read, and it is closed.
///
/// Sits right after the TLS handler, and leaves the pipeline with the connection's first decrypted bytes.
final class CertificateIdentifier: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias OutboundOut = ByteBuffer

    private let session: RPCSession
    private let lineLimit: LineLengthLimit
    private let authenticatedLineBytes: Int
    private let identify: @Sendable (_ certificateCommonName: String?) -> RPCIdentity?
    private var rejected = false
    private let handshakeFailures: HandshakeFailureReporter?

    init(session: RPCSession, lineLimit: LineLengthLimit, authenticatedLineBytes: Int,
         identify: @escaping @Sendable (_ certificateCommonName: String?) -> RPCIdentity?,
         handshakeFailures: HandshakeFailureReporter? = nil) {
        self.session = session
        self.handshakeFailures = handshakeFailures
        self.lineLimit = lineLimit
        self.authenticatedLineBytes = authenticatedLineBytes
        self.identify = identify
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent {
            session.progress.store(1, ordering: .relaxed)
            identifyPeer(context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// An error before the handshake completed is a failed handshake: counted and logged (``HandshakeFailureReporter``).
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if session.progress.load(ordering: .relaxed) == 0 { handshakeFailures?.report(error) }
        context.fireErrorCaught(error)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !rejected else { return }
        session.progress.store(2, ordering: .relaxed)
        context.fireChannelRead(data)
        // Its work is done once bytes flow (identity set, handshake over): out of the way of every later read.
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    private func identifyPeer(context: ChannelHandlerContext) {
        guard let certificate = try? context.pipeline.syncOperations.nioSSL_peerCertificate() else { return }
        let commonNames = certificate.subjectName.filter { $0.type == .commonName }.map(\.value)
        guard commonNames.count <= 1 else {
            rejected = true
            let refusal = RPCResponse(id: .null, outcome: .error(.certificateRejected(commonNameCount: commonNames.count)))
            guard let line = try? AnswerLine.line(refusal) else {
                context.close(promise: nil)
                return
            }
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(line)).whenComplete { _ in loopBound.value.close(promise: nil) }
            return
        }
        let identity = identify(commonNames.first)
        session.setCertificate(commonName: commonNames.first, identity: identity)
        if identity != nil { lineLimit.value = authenticatedLineBytes }
    }
}
