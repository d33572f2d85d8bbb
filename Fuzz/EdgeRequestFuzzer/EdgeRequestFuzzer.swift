import FuzzTargets

@_cdecl("LLVMFuzzerTestOneInput")
public func edgeRequestFuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    EdgeRequestFuzzing.run(UnsafeRawBufferPointer(start: start, count: count))
    return 0
}

#if !LIBFUZZER
    /// Without libFuzzer (a plain build): replays the files or folders given, as the fuzzer would,
    /// or writes the seed corpus (`--write-seeds FOLDER`).
    @main
    enum EdgeRequestReplay {
        static func main() throws {
            let arguments = Array(CommandLine.arguments.dropFirst())
            if arguments.count == 2, arguments[0] == "--write-seeds" {
                try SeedCorpus.write(SeedCorpus.edgeRequest(), to: arguments[1])
            } else {
                try FuzzReplay.run(arguments, EdgeRequestFuzzing.run)
            }
        }
    }
#endif
