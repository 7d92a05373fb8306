"""The talk "Asynchronicity"'s nogenerator.py: the numbers 0 to 9,999 built as a list, whole,
before the loop reads the first of them.

The Rust program beside it: examples/src/bin/generators.rs (`no_generator`). Run:
python/.venv/bin/python python/talks/nogenerator.py
"""

from resourcehelper import ResourceHelper


def no_generator(top):
    result = []
    i = 0
    while i < top:
        result.append(i)
        i += 1
    return result


if __name__ == "__main__":
    rh = ResourceHelper(__file__)

    for i in no_generator(10000):
        pass

    rh.usage()
