import FuzzTargets

@_cdecl("LLVMFuzzerTestOneInput")
public func rpcWireFuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    RPCWireFuzzing.run(UnsafeRawBufferPointer(start: start, count: count))
    return 0
}

#if !LIBFUZZER
    /// Without libFuzzer (a plain build): replays the files or folders given, as the fuzzer would,
    /// or writes the seed corpus (`--write-seeds FOLDER`).
    @main
    enum RPCWireReplay {
        static func main() throws {
            let arguments = Array(CommandLine.arguments.dropFirst())
            if arguments.count == 2, arguments[0] == "--write-seeds" {
                try SeedCorpus.write(try SeedCorpus.rpcWire(), to: arguments[1])
            } else {
                try FuzzReplay.run(arguments, RPCWireFuzzing.run)
            }
        }
    }
#endif
