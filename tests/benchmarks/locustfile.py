"""Visitors of the demo site for the load test (tests/benchmarks/load_test.py starts locust with it).

Each simulated visitor comes from an address of its own behind the load balancer (X-Forwarded-For, as
the production settings read it) and, between pauses, reads the catalogue (plain and filtered), reads
offering pages, and now and then registers for the open offering the way a person does: read the form,
take a few seconds to fill it in (the spam check's minimum fill time), send it, read the confirmation.

Each visitor reads one of the demo's sites (its host name in the Host header, as a load balancer passes
it on). The sites and their paths come from the environment (LMS_LOAD_PATHS, JSON: {"sites": [{host,
catalogue, offerings, form}]}), written by the runner from the loaded demo.
"""

import json
import os
import random
import sys
import time
import uuid
from pathlib import Path

from bs4 import BeautifulSoup
from locust import HttpUser, between, task

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.production_site import registration_answers  # noqa: E402

SITES = json.loads(os.environ.get("LMS_LOAD_PATHS", '{"sites": []}'))["sites"]
FILL_SECONDS = float(os.environ.get("LMS_LOAD_FILL_SECONDS", "3.2"))
# Every registration a site accepted, "host email" a line, for the runner to find in the database.
ACCEPTED = os.environ.get("LMS_LOAD_ACCEPTED")


class Visitor(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        self.site = random.choice(SITES)
        self.headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": address, "Host": self.site["host"]}

    @task(5)
    def catalogue(self):
        self.client.get(random.choice(self.site["catalogue"]), headers=self.headers, name="catalogue")

    @task(3)
    def offering(self):
        self.client.get(random.choice(self.site["offerings"]), headers=self.headers, name="offering page")

    @task(1)
    def register(self):
        form_page = self.client.get(self.site["form"], headers=self.headers, name="registration form")
        form = BeautifulSoup(form_page.text, "html.parser").find("form", method="post")
        csrf = form_page.cookies.get("csrftoken")
        if form is None or csrf is None:
            return  # counted as a failure by locust if the page failed; a closed form ends the visit
        time.sleep(FILL_SECONDS)
        headers = {
            **self.headers,
            "Origin": f"https://{self.site['host']}",
            "Cookie": f"csrftoken={csrf}",
        }
        email = f"last-{uuid.uuid4().hex[:12]}@example.org"
        with self.client.post(
            self.site["form"],
            data=registration_answers(form, email),
            headers=headers,
            allow_redirects=False,
            name="registration POST",
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302 or "bekreftelse" not in location:
                response.failure(f"HTTP {response.status_code}, no confirmation")
                return
        if ACCEPTED:
            with open(ACCEPTED, "a") as accepted:
                accepted.write(f"{self.site['host']} {email}\n")
        self.client.get(location, headers=self.headers, name="confirmation page")
