"""``python -m graph`` runs the ``cryptokg`` command line."""

from graph.cli import main

main()
