"""The talk "Asynchronicity"'s generator.py: the same numbers from a generator function, which
`yield` shelves between one number and the next.

The Rust program beside it: examples/src/bin/generators.rs (`generator`). Run:
python/.venv/bin/python python/talks/generator.py
"""

from resourcehelper import ResourceHelper


def generator(top):
    i = 0
    while i < top:
        yield i
        i += 1


if __name__ == "__main__":
    rh = ResourceHelper(__file__)

    for i in generator(10000):
        pass

    rh.usage()
