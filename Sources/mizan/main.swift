import MizanCLI

MizanCommand.main()
