"""The errors of ctscale's Python tools, with the exit codes of every ctscale program."""


class CtscaleError(Exception):
    """A problem found in an input or output file: one line, exit code 1."""

    exit_code = 1


class UsageError(CtscaleError):
    """A problem decidable from the command line alone: exit code 2."""

    exit_code = 2


def one_line(text: str) -> str:
    """The message on one line, whatever it quotes (control characters escaped, as the
    C++ programs do)."""
    out = []
    for ch in str(text):
        if ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return "".join(out)
