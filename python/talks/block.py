"""The talk "Asynchronicity"'s blocking program (block.py): one jobs request after another,
summing TotalJobs.

The Rust model beside it: crates/fetch-sync. Run:
python/.venv/bin/python python/talks/block.py
"""

import json

import requests

import common
from resourcehelper import ResourceHelper


@common.timeit
def get_jobs(zip):
    response = requests.get(common.jobs_url(zip), timeout=common.timeout)
    result = json.loads(response.text)
    total_jobs = int(result["TotalJobs"])
    return total_jobs


def block_jobs(zips):
    total = 0
    for zip in zips:
        jobs, _ = get_jobs(zip)
        total += jobs
    return total


if __name__ == "__main__":
    rh = ResourceHelper(__file__)

    zips = common.zips

    jobs = block_jobs(zips)
    print("\njobs available: %s" % jobs)

    rh.usage()
