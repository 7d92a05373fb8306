"""The talk "Asynchronicity"'s asyncio program (async.py): a coroutine per zip code on one
event loop, aiohttp for HTTP, the results summed as they complete.

Python 3.11 removed `@asyncio.coroutine` and `yield from` on futures, and aiohttp replaced
`read_and_close(decode=True)`: `async def`, `await` and `response.json()` say the same.

The Rust model beside it: crates/fetch-tokio. Run:
python/.venv/bin/python python/talks/async.py
"""

import asyncio

import aiohttp

import common
from resourcehelper import ResourceHelper


@common.timeit
async def get_jobs(zip):
    timeout = aiohttp.ClientTimeout(total=common.timeout)
    async with aiohttp.request("GET", common.jobs_url(zip), timeout=timeout) as response:
        result = await response.json(content_type=None)
    total_jobs = int(result["TotalJobs"])
    return total_jobs


async def async_jobs(zips):
    total = 0
    coroutines = [get_jobs(zip) for zip in zips]
    for result in asyncio.as_completed(coroutines):
        jobs, _ = await result
        total += jobs
    return total


if __name__ == "__main__":
    rh = ResourceHelper(__file__)

    zips = common.zips

    loop = asyncio.new_event_loop()
    jobs = loop.run_until_complete(async_jobs(zips))
    print("\njobs available: %s" % jobs)

    rh.usage()
