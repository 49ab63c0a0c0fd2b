"""One soak, from the throw-away project to the figures (``manage.py soak`` is its interface).

The project, its API key and its webhook endpoint are made by the same services the dashboard
uses, and kept afterwards (``make soak`` runs on a database of its own): what the soak created is
what ``manage.py reconcile`` checks, and stays there to be looked at.
"""

from __future__ import annotations

import http.client
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Count

from idcheck.lib.subprocesses import free_port
from projects.actors import Actor
from projects.models import Project
from projects.services import api_key_issue, project_create
from submissions.evaluation.face_set import passports_with_selfie
from submissions.models import RunState, Submission
from submissions.soak import multipart_body
from submissions.soak.processes import Child, Stack, locust_start
from submissions.soak.report import GROWTH_LIMIT, SoakResult, kind_stats, read_requests
from submissions.soak.sampler import RssSampler
from webhooks.models import DeliveryStatus, WebhookDelivery
from webhooks.services import webhook_endpoint_set, webhook_secrets_live

ACTOR = Actor.system("soak")
PRIME_TIMEOUT_S = 300.0
IMAGES_SEED = 2611
PASSPORTS = 6  # different holders, so that the duplicate checks see more than one identity
IN_FLIGHT = (RunState.QUEUED, RunState.PROCESSING)
UNSENT = (DeliveryStatus.PENDING, DeliveryStatus.IN_FLIGHT)


@dataclass(frozen=True)
class Settings:
    seconds: int
    users: int
    pace: float  # requests per second per user
    sample_seconds: float
    drain_seconds: float
    folder: Path
    max_growth: float = GROWTH_LIMIT

    @property
    def warm_up(self) -> float:
        """2 minutes, or 20 % of a shorter run: the engines load and the caches fill first."""
        return min(120.0, 0.2 * self.seconds)

    @property
    def window(self) -> float:
        """How long the start and end levels of memory are taken over (a median, not one sample)."""
        return max(self.sample_seconds, min(60.0, 0.1 * self.seconds))


class Soak:
    def __init__(self, options: Settings, progress: Callable[[str], None]) -> None:
        self.options = options
        self.say = progress
        self.stack = Stack(options.folder)
        self.receiver_port = free_port()
        self.project: Project | None = None
        self.locust: Child | None = None

    def run(self) -> tuple[SoakResult, RssSampler, float]:
        """The result, the memory samples and when the load ended (seconds since the first sample)."""
        folder = self.options.folder
        (folder / "requests.tsv").unlink(missing_ok=True)
        images = self._images()
        key, secret = self._project()
        try:
            self.stack.start_receiver(port=self.receiver_port, secret=secret)
            self.stack.start_workers()
            url = self.stack.start_gunicorn()
            self.say(f"gunicorn answers on {url}")
            self._prime(images, key)
            sampler = RssSampler(self.stack.roots(), interval=self.options.sample_seconds)
            sampler.start()
            load_start = sampler.elapsed()
            self.say(f"load: {self.options.users} users × {self.options.pace:g} req/s for {self.options.seconds} s")
            locust = locust_start(url=url, seconds=self.options.seconds, users=self.options.users,
                                  pace=self.options.pace, key=key, images=images, folder=folder)  # fmt: skip
            self.locust = locust
            ended = self._wait(locust)
            load_end = sampler.elapsed()
            drained, drain_seconds = self._drain() if not ended else (False, 0.0)
            sampler.stop()
            result = self._result(sampler, load_start=load_start, load_end=load_end, ended=ended,
                                  drained=drained, drain_seconds=drain_seconds)  # fmt: skip
        finally:
            if self.locust is not None and self.locust.process.poll() is None:
                self.locust.process.kill()  # only when the soak itself failed: Locust ends on its own
            self.stack.stop()
        return result, sampler, load_end

    def _images(self) -> Path:
        """The passports and the selfie, made once per checkout (the same seed gives the same
        images) and kept in var/cache: generating them takes longer than a short soak."""
        folder = Path(settings.VAR_DIR) / "cache" / f"soak-passports-{IMAGES_SEED}-{PASSPORTS}"
        if (folder / "selfie.jpg").exists():
            return folder
        work = Path(tempfile.mkdtemp(prefix="idcheck-soak-"))
        try:
            passports, selfie = passports_with_selfie(work, count=PASSPORTS, seed=IMAGES_SEED)
            (work / "images").mkdir()
            for number, passport in enumerate(passports, start=1):
                (work / "images" / f"passport_{number}.jpg").write_bytes(passport)
            (work / "images" / "selfie.jpg").write_bytes(selfie)  # last: its presence means complete
            folder.parent.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(folder, ignore_errors=True)
            shutil.move(work / "images", folder)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return folder

    def _project(self) -> tuple[str, str]:
        """A project with credits for every creation the load can make, its key and its endpoint."""
        most = int(self.options.seconds * self.options.users * self.options.pace) + 100
        self.project = project_create(name="soak", owner=None, actor=ACTOR, credits=most)
        key = api_key_issue(project=self.project, actor=ACTOR).plaintext
        endpoint = webhook_endpoint_set(project=self.project, url=f"http://127.0.0.1:{self.receiver_port}/soak")
        return key, webhook_secrets_live(endpoint)[0]

    def _prime(self, images: Path, key: str) -> None:
        """One creation through gunicorn, waited for until decided: the pipeline child loads its
        engines and the workers their code before the clock starts, so the warm-up measures
        steady state, not start-up."""
        body, content_type = multipart_body(
            (images / "passport_1.jpg").read_bytes(), (images / "selfie.jpg").read_bytes()
        )
        headers = {"x-api-key": key, "Content-Type": content_type}
        connection = http.client.HTTPConnection("127.0.0.1", self.stack.gunicorn.port, timeout=60)
        try:
            connection.request("POST", "/v3/submission", body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
        finally:
            connection.close()
        if response.status != 200:
            raise CommandError(f"the priming creation was answered {response.status}: {answer[:300]!r}")
        submission_id = json.loads(answer)["submissionId"]
        deadline = time.monotonic() + PRIME_TIMEOUT_S
        while Submission.objects.filter(pk=submission_id, run_state__in=IN_FLIGHT).exists():
            if time.monotonic() > deadline or self.stack.ended():
                raise CommandError(f"the priming submission was not decided within {PRIME_TIMEOUT_S:.0f} s")
            time.sleep(0.5)
        self.say(f"primed: submission {submission_id} decided")

    def _wait(self, locust: Child) -> list[str]:
        """Until Locust ends; the roles that died meanwhile (then Locust is stopped at once)."""
        deadline = time.monotonic() + self.options.seconds + 120
        last = 0.0
        while locust.process.poll() is None:
            if ended := self.stack.ended():
                locust.process.terminate()
                locust.process.wait()
                return ended
            if time.monotonic() > deadline:
                locust.process.kill()
                raise CommandError("Locust did not stop within 2 minutes of its run time (see locust.log).")
            if time.monotonic() - last >= 60:
                last = time.monotonic()
                self.say(f"  {self._created()} submissions created, {self._in_flight()} in flight")
            time.sleep(1)
        return self.stack.ended()

    def _drain(self) -> tuple[bool, float]:
        """Wait until every run is decided and every webhook delivered (or the drain time ends)."""
        started = time.monotonic()
        while time.monotonic() - started < self.options.drain_seconds:
            if self.stack.ended():
                break
            if not self._in_flight() and self._receiver()["delivered"] >= self._deliveries():
                return True, time.monotonic() - started
            time.sleep(1)
        return False, time.monotonic() - started

    def _created(self) -> int:
        return Submission.objects.filter(project=self.project).count()

    def _in_flight(self) -> int:
        runs = Submission.objects.filter(project=self.project, run_state__in=IN_FLIGHT).count()
        pending = WebhookDelivery.objects.filter(project=self.project, status__in=UNSENT).count()
        return runs + pending

    def _deliveries(self) -> int:
        return WebhookDelivery.objects.filter(project=self.project).count()

    def _receiver(self) -> dict[str, int]:
        connection = http.client.HTTPConnection("127.0.0.1", self.receiver_port, timeout=5)
        try:
            connection.request("GET", "/stats")
            return json.loads(connection.getresponse().read())
        except OSError:
            return {"delivered": 0, "received": 0, "forged": 0}
        finally:
            connection.close()

    def _reconcile(self) -> tuple[bool, str]:
        out = StringIO()
        try:
            call_command("reconcile", "--project", self.project.pid, "--json", stdout=out)
        except CommandError as error:
            if not out.getvalue():
                return False, str(error)
        report = json.loads(out.getvalue())
        if report["ok"]:
            return True, f"clean ({len(report['checks'])} checks, 0 offenders)"
        failing = [f"{check['name']} {check['offenders']}" for check in report["checks"] if not check["ok"]]
        return False, f"{report['offenders']} offenders ({', '.join(failing)})"

    def _result(self, sampler: RssSampler, *, load_start: float, load_end: float, ended: list[str],
                drained: bool, drain_seconds: float) -> SoakResult:  # fmt: skip
        requests = read_requests(self.options.folder / "requests.tsv")
        decided = Submission.objects.filter(project=self.project, run_state=RunState.DECIDED)
        decisions = dict(decided.values_list("status").annotate(count=Count("pk")).order_by())
        receiver = self._receiver()
        reconcile_ok, reconcile_summary = self._reconcile()
        warm_up_end = load_start + self.options.warm_up
        return SoakResult(
            seconds=self.options.seconds, users=self.options.users, pace=self.options.pace,
            warm_up=self.options.warm_up, kinds=kind_stats(requests),
            latencies={kind.kind: [r.ms for r in requests if r.kind == kind.kind] for kind in kind_stats(requests)},
            decisions=decisions,
            failed_runs=Submission.objects.filter(project=self.project, run_state=RunState.FAILED).count(),
            drain_seconds=drain_seconds, drained=drained, webhooks_expected=self._deliveries(),
            submissions=self._created(), webhooks_delivered=receiver["delivered"], webhooks_forged=receiver["forged"],
            reconcile_ok=reconcile_ok, reconcile_summary=reconcile_summary,
            growth=sampler.growth(start=warm_up_end, end=load_end, window=self.options.window), ended=ended,
            max_growth=self.options.max_growth,
        )  # fmt: skip
