import AccessProtocol
import LineRPC

extension AccessMethod {
    /// `answer` decoded as this method's result.
    /// - Throws: ``ClientFailure`` (exit 3) naming the member at fault when the answer does not have the result's shape.
    static func result(from answer: JSONValue) throws -> Result {
        do {
            return try RPCClientError.decoding(answer, as: Result.self, answerTo: name)
        } catch {
            throw ClientFailure.connection(error)
        }
    }
}
