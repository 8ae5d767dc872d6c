"""Asynchronous jobs (ECS attach/detach, EVS create/delete disk): INIT -> RUNNING -> SUCCESS | FAIL,
then 404 once job_ttl_seconds have passed since the end.

A ticker thread moves jobs along by the clock (job_init_seconds, job_run_seconds). The work of a job
happens when it ends (on_finish, under the state lock), so a client polling the job sees the effect
(device file, new disk) exactly when the status says SUCCESS. A job may also run a worker thread
while RUNNING (the copy of a snapshot into a new disk); it ends only after the worker is done.

The same ticker turns EVS snapshots from 'creating' to 'available' (or 'error'), and removes
snapshots in 'deleting', because both are driven by the same clock.
"""
import logging
import threading
import time

from .util import new_hex32, now, ts_job

log = logging.getLogger("hcssim")

ECS_KINDS = ("attach", "detach")
EVS_KINDS = ("create_volume", "delete_volume")


class Jobs:
    def __init__(self, state):
        self.state = state
        self.workers = {}       # job id -> Thread
        self.tick_hooks = []    # functions called on every tick, under the lock
        self._stop = threading.Event()
        self._thread = None

    def start(self):
        # Jobs that were RUNNING when the simulator stopped get their worker again (the copy into a
        # new disk is idempotent), so a restart never ends a create job with an empty disk.
        with self.state.lock:
            for job in self.state.d["jobs"].values():
                on_running = self.state.job_handlers[job["kind"]][0]
                if job["status"] == "RUNNING" and on_running is not None and job["apply"] and not job["fail"]:
                    worker = on_running(self.state, job)
                    if worker is not None:
                        self.workers[job["id"]] = worker
                        worker.start()
        self._thread = threading.Thread(target=self._run, name="jobs", daemon=True)
        self._thread.start()

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def submit(self, kind, project_id, params, entities):
        """A new job in INIT; faults armed for its type decide how it will end."""
        st, cfg = self.state, self.state.cfg
        job_type = cfg.job_types[kind]
        t = now()
        job = {
            "id": new_hex32(), "kind": kind, "service": "ecs" if kind in ECS_KINDS else "evs",
            "project_id": project_id, "job_type": job_type, "status": "INIT", "entities": entities,
            "params": params, "begin": t, "end": None, "error_code": None, "fail_reason": None,
            "t_run": t + cfg.job_init_seconds, "t_done": t + cfg.job_init_seconds + cfg.job_run_seconds,
            "stuck": False, "vanished": False, "apply": True, "fail": None,
        }
        f = st.faults.take("job_fail", job_type=job_type, kind=kind)
        if f is not None:
            job["fail"] = [f["error_code"], f["fail_reason"]]
        f = st.faults.take("job_stuck", job_type=job_type, kind=kind)
        if f is not None:
            job["stuck"] = True
        f = st.faults.take("job_vanish", job_type=job_type, kind=kind)
        if f is not None:
            job["vanished"] = True
            job["apply"] = bool(f.get("apply", True))
        st.d["jobs"][job["id"]] = job
        st.mark_dirty()
        return job

    def visible(self, job_id, service, project_id):
        """The job as GET /v1/{p}/jobs/{id} shows it, or None (404)."""
        job = self.state.d["jobs"].get(job_id)
        if job is None or job["vanished"] or job["project_id"] != project_id:
            return None
        if service is not None and job["service"] != service:
            return None
        return job

    @staticmethod
    def to_json(job):
        return {
            "status": job["status"], "entities": job["entities"], "job_id": job["id"],
            "job_type": job["job_type"], "begin_time": ts_job(job["begin"]),
            "end_time": ts_job(job["end"]) if job["end"] else "",
            "error_code": job["error_code"], "fail_reason": job["fail_reason"],
        }

    def release(self, job_id):
        job = self.state.d["jobs"].get(job_id)
        if job is None:
            return False
        job["stuck"] = False
        return True

    # ------------------------------------------------------------------ the ticker

    def _run(self):
        while not self._stop.wait(0.02):
            try:
                with self.state.lock:
                    self.tick()
            except Exception:
                log.exception("job ticker failed")
                time.sleep(0.5)

    def tick(self):
        st = self.state
        t = now()
        ttl = st.cfg.job_ttl_seconds
        for job in list(st.d["jobs"].values()):
            if job["status"] == "INIT" and t >= job["t_run"]:
                job["status"] = "RUNNING"
                on_running = st.job_handlers[job["kind"]][0]
                if on_running is not None and job["apply"] and not job["fail"]:
                    worker = on_running(st, job)
                    if worker is not None:
                        self.workers[job["id"]] = worker
                        worker.start()
                st.mark_dirty()
            elif job["status"] == "RUNNING" and not job["stuck"] and t >= job["t_done"]:
                worker = self.workers.get(job["id"])
                if worker is not None and worker.is_alive():
                    continue
                self.workers.pop(job["id"], None)
                self._finish(job, t)
            elif job["end"] is not None and (t >= job["end"] + ttl or job["vanished"]):
                del st.d["jobs"][job["id"]]
                st.mark_dirty()
        for hook in self.tick_hooks:
            hook(t)

    def _finish(self, job, t):
        st = self.state
        on_finish = st.job_handlers[job["kind"]][1]
        failure = job["fail"]
        if failure is None and not job["apply"]:
            # a vanished job told not to do its work: undo its reservations, as a failure would
            failure = ["SIM.0000", "the job vanished before doing its work"]
        if failure is None:
            failure = on_finish(st, job, None)
        else:
            on_finish(st, job, failure)
        job["end"] = t
        if failure:
            job["status"] = "FAIL"
            job["error_code"], job["fail_reason"] = failure
        else:
            job["status"] = "SUCCESS"
        st.mark_dirty()
        log.info("job %s %s %s%s", job["id"], job["job_type"], job["status"],
                 (" %s" % job["error_code"]) if failure else "")
