"""The talk "Asynchronicity"'s threaded program (threaded.py): a Thread per zip code, each
fetching its TotalJobs, joined in order and summed.

The Rust model beside it: crates/fetch-threads. Run:
python/.venv/bin/python python/talks/threaded.py
"""

import json
from threading import Thread

import requests

import common
from resourcehelper import ResourceHelper


@common.timeit
def get_jobs(zip):
    response = requests.get(common.jobs_url(zip), timeout=common.timeout)
    result = json.loads(response.text)
    return int(result["TotalJobs"])


class GetJobs(Thread):
    def __init__(self, zip):
        super(GetJobs, self).__init__()
        self.zip = zip
        self.total_jobs = 0

    def run(self):
        self.total_jobs, _ = get_jobs(self.zip)


def thread_jobs(zips):
    total = 0
    threads = []

    for zip in zips:
        threads.append(GetJobs(zip))
        threads[-1].start()

    for t in threads:
        t.join()
        total += t.total_jobs

    return total


if __name__ == "__main__":
    rh = ResourceHelper(__file__)

    zips = common.zips

    jobs = thread_jobs(zips)
    print("\njobs available: %s" % jobs)

    rh.usage()
