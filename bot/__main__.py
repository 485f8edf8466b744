"""`python -m bot`: the same as the `softlift-bot` command."""

from bot.cli import console_main

if __name__ == "__main__":
    console_main()
