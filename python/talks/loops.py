"""The talk "Asynchronicity"'s loops.py: asyncio's event loop with no I/O, `call_soon` to run a
callback now, `call_later` to run one after 3 s, and a callback that stops the loop.

The Rust program beside it: examples/src/bin/event_loop.rs. Python 3.12 deprecates
`asyncio.get_event_loop()` where no loop is running, so the loop is made with
`asyncio.new_event_loop()`, which is what the talk's call did then. Run:
python/.venv/bin/python python/talks/loops.py
"""

import asyncio


def work_callback(result, loop):
    print("ending loop for result: {}".format(result))
    loop.stop()


def do_some_work(x, y, cb, loop):
    r = x + y
    loop.call_later(3, cb, r, loop)


if __name__ == "__main__":
    loop = asyncio.new_event_loop()
    loop.call_soon(do_some_work, 2, 3, work_callback, loop)
    jobs = loop.run_forever()
