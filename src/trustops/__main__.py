from trustops.cli import main

main()
