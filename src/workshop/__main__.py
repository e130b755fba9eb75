"""`python -m workshop`: see workshop.launcher."""

from workshop.launcher import main

main()
