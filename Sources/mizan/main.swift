import MizanCLI

await MizanCommand.main()
