from baybot.app.cli import main

main()
