import AccessProtocol
import ArgumentParser

/// `--action` of `provision` is the protocol's action; shells complete `add` and `remove`.
extension AccessProtocol.Provision.Action: ExpressibleByArgument {}
