from toolkit.cli.commands import main

main()
